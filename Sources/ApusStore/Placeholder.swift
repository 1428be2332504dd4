// ApusStore
