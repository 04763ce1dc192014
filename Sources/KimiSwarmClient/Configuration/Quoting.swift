/// Quoting of user-supplied values in messages.
enum Quoting {
    /// A value on one line, with line breaks shown as `\n`. Values are never cut short: a
    /// shortened secret could no longer be found and redacted.
    static func inline(_ text: String) -> String {
        text.replacing("\n", with: "\\n").replacing("\r", with: "\\r")
    }
}
