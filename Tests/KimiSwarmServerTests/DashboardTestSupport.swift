import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import KimiSwarmStore

/// An HTTP client that does not follow redirects (the dashboard's tests check them).
let webTestHTTPClient = HTTPClient(
    eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(60))))

/// A browser for the dashboard's tests: keeps cookies, sends forms with the page's CSRF token,
/// and never follows redirects (tests look at them).
actor WebBrowser {
    let baseURL: String
    private(set) var cookies: [String: String] = [:]
    /// The CSRF token of the last page that had a form.
    private(set) var csrf: String?

    init(_ server: TestServer) { baseURL = server.baseURL }

    struct Page: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: String

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        /// Every `Set-Cookie` header.
        var setCookies: [String] { headers.filter { $0.0.lowercased() == "set-cookie" }.map(\.1) }
        var location: String? { header("location") }
        /// How many times `text` occurs in the body.
        func count(_ text: String) -> Int { body.components(separatedBy: text).count - 1 }
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> Page {
        try await send(.GET, path, form: nil, headers: headers)
    }

    /// Posts a form; `_csrf` is the last page's token unless the fields give one.
    func post(_ path: String, _ fields: [String: String] = [:], headers: [String: String] = [:]) async throws -> Page {
        var fields = fields
        if fields["_csrf"] == nil, let csrf { fields["_csrf"] = csrf }
        return try await send(.POST, path, form: fields, headers: headers)
    }

    func forget(_ cookie: String) { cookies[cookie] = nil }

    private func send(_ method: HTTPMethod, _ path: String, form: [String: String]?, headers: [String: String]) async throws -> Page {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: Self.encode(form)))
        }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        let response = try await webTestHTTPClient.execute(request, timeout: .seconds(60))
        let body = String(buffer: try await response.body.collect(upTo: 16 << 20))
        let page = Page(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: body)
        for line in page.setCookies {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || line.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        if let token = Self.firstMatch(#"name="_csrf" value="([^"]+)""#, in: body) { csrf = token }
        return page
    }

    static func encode(_ fields: [String: String]) -> String {
        let allowed = CharacterSet.alphanumerics.union(.init(charactersIn: "-_.~"))
        return fields.map { "\($0.key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
    }

    static func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), match.numberOfRanges > 1,
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }

    /// Signs in with an API key through the sign-in form; returns the redirect.
    @discardableResult
    func signIn(key: String) async throws -> Page {
        _ = try await get("/login")
        return try await post("/login", ["api_key": key, "_csrf": cookies["ks_login"] ?? ""])
    }

    @discardableResult
    func signIn(email: String, password: String) async throws -> Page {
        _ = try await get("/login")
        return try await post("/login", ["email": email, "password": password, "_csrf": cookies["ks_login"] ?? ""])
    }
}

extension RunRepository {
    /// A queued run made the way the server makes one (``RunRepository/submit(_:)``), its job
    /// on a queue no worker claims (it never runs).
    func submitTestRun(tenantID: String, task: String) async throws -> RunRecord {
        try await submit(RunSubmission(tenantID: tenantID, task: task, spec: "{}", jobPayload: "{}", queue: "idle-test-runs")).run
    }
}
