import Hummingbird

/// Makes every error an OpenAI error object: Hummingbird's own (unknown route 404, wrong
/// method 405) and anything unexpected (500 with its description, logged).
struct ErrorObjectMiddleware: RouterMiddleware {
    typealias Context = ServerContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            let type = error.status.code >= 500 ? "server_error" : "invalid_request_error"
            let message = error.body ?? (error.status == .notFound
                ? "no route \(request.method.rawValue) \(request.uri.path); see /openapi.json" : error.status.reasonPhrase)
            throw APIError(status: error.status, message: message, type: type, code: error.status == .notFound ? "not_found" : nil)
        } catch let error as any HTTPResponseError {
            throw APIError(status: error.status, message: "\(error)",
                           type: error.status.code >= 500 ? "server_error" : "invalid_request_error")
        } catch {
            context.logger.error("unexpected error: \(error)")
            throw APIError(status: .internalServerError, message: "internal error: \(error)", type: "server_error")
        }
    }
}

/// `/v1` routes need `Authorization: Bearer KEY`; the comparison takes the same time
/// wherever the first difference is.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let key: [UInt8]

    init(key: String) { self.key = Array(key.utf8) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        let given = header.hasPrefix(prefix) ? Array(header.utf8.dropFirst(prefix.utf8.count)) : []
        guard Self.constantTimeEqual(given, key) else {
            throw APIError(status: .unauthorized,
                           message: header.isEmpty ? "missing API key: send 'Authorization: Bearer <key>'" : "incorrect API key",
                           type: "authentication_error", code: "invalid_api_key")
        }
        return try await next(request, context)
    }

    /// Equality whose time depends only on the lengths: every byte is compared.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count) | UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<b.count {
            difference |= (i < a.count ? a[i] : 0) ^ b[i]
        }
        return difference == 0
    }
}
