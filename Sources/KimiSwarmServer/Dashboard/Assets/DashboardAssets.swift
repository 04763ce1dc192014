import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Serves the stylesheet, the script and the logo from memory. Their URLs carry a version
/// (a hash of the content), so browsers may keep them for a year and still get a new build's.
enum DashboardAssets {
    struct Asset: Sendable {
        var contentType: String
        var body: String
    }

    static let logo = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#4f46e5"/>\
        <g fill="none" stroke="#fff" stroke-width="2" stroke-linecap="round"><path d="M9 11l7 5M16 16l7-5M16 16v8"/></g>\
        <g fill="#fff"><circle cx="9" cy="10" r="3"/><circle cx="23" cy="10" r="3"/><circle cx="16" cy="16" r="3"/><circle cx="16" cy="24" r="3"/></g></svg>
        """

    static let assets: [String: Asset] = [
        "app.css": Asset(contentType: "text/css; charset=utf-8", body: DashboardStylesheet.css),
        "app.js": Asset(contentType: "text/javascript; charset=utf-8", body: DashboardScript.javaScript),
        "logo.svg": Asset(contentType: "image/svg+xml", body: logo),
    ]

    /// The first 12 hex digits of the assets' SHA-256.
    static let version: String = {
        let all = assets.keys.sorted().map { assets[$0]!.body }.joined()
        return SHA256.hash(data: Data(all.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
    }()

    static func register(_ group: RouterGroup<AppRequestContext>) {
        group.get("static/:name") { request, context in
            let name = try context.parameters.require("name")
            guard let asset = assets[name] else { throw APIError.notFound("file") }
            let versioned = request.uri.queryParameters["v"].map(String.init) == version
            return Response(
                status: .ok,
                headers: [
                    .contentType: asset.contentType,
                    .cacheControl: versioned ? "public, max-age=31536000, immutable" : "public, max-age=300",
                    .eTag: "\"\(version)\"",
                ],
                body: .init(byteBuffer: ByteBuffer(string: asset.body)))
        }
        group.get("favicon.ico") { _, _ in
            Response(status: .movedPermanently, headers: [.location: "/static/logo.svg", .cacheControl: "public, max-age=86400"])
        }
    }
}
