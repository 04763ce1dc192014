import Hummingbird
import NIOCore

/// `GET /openapi.json`: the API's OpenAPI 3.1 document (public).
enum OpenAPIRoutes {
    static func register(_ router: Router<AppRequestContext>, table: RouteTable) {
        table.record(RouteInfo(method: .get, path: "/openapi.json", permission: nil))
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.text)))
        }
    }
}
