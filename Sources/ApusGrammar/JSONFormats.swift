/// Regular expressions for the string `format`s Apus enforces, exact to their RFC 3339 /
/// RFC 4122 definitions (dates check days per month and leap years).
enum JSONFormats {
    static let leapYear = "([0-9]{2}([02468][48]|[13579][26]|[2468]0)|([02468][048]|[13579][26])00)"
    static let date = "(" + [
        "[0-9]{4}-(0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])",
        "[0-9]{4}-(0[469]|11)-(0[1-9]|[12][0-9]|30)",
        "[0-9]{4}-02-(0[1-9]|1[0-9]|2[0-8])",
        leapYear + "-02-29",
    ].joined(separator: "|") + ")"
    static let time = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
    static let dateTime = date + "T" + time
    static let uuid = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    static let emailAtom = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
    static let emailLabel = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    static let email = emailAtom + "(\\." + emailAtom + ")*@" + emailLabel + "(\\." + emailLabel + ")+"

    /// The pattern for `format`, or nil when Apus does not enforce that format.
    static func pattern(for format: String) -> String? {
        switch format {
        case "date": return date
        case "time": return time
        case "date-time": return dateTime
        case "uuid": return uuid
        case "email": return email
        default: return nil
        }
    }
}
