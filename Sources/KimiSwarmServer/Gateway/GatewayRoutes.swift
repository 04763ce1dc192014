import Foundation
import HTTPTypes
import Hummingbird
import KimiSwarmPlatform
import KimiSwarmCore
import Logging
import NIOCore

/// The OpenAI-compatible gateway under `/v1`: `POST /v1/chat/completions` (plain and SSE
/// streaming, tools both ways), `GET /v1/models` and `POST /v1/embeddings`. Tenant API keys
/// are the bearer tokens; every route needs ``Permission/gateway``.
///
/// Each route decodes OpenAI's wire format (``GatewayChatRequest``), calls the
/// ``GatewayService`` (quotas, the tenant's client, billing) and encodes its answer
/// (``GatewayWire``, ``GatewayChatStream`` for server-sent events). Errors answer in OpenAI's
/// error shape (``ErrorMiddleware`` does that for `/v1/...`).
struct GatewayRoutes {
    let service: GatewayService

    func register(_ api: APIRoutes) {
        api.on(.post, "chat/completions", .gateway) { request, context, principal in try await chat(request, context, principal) }
        api.on(.get, "models", .gateway) { _, _, principal in
            let models = try await service.models(principal: principal)
            return try Self.json(GatewayWire.modelList(models.map { ($0.id, $0.ownedBy, $0.created) }))
        }
        api.on(.post, "embeddings", .gateway) { request, context, principal in try await embeddings(request, context, principal) }
    }

    private func chat(_ request: Request, _ context: AppRequestContext, _ principal: Principal) async throws -> Response {
        let parsed = try GatewayChatRequest(json: try await Self.body(request, context))
        if parsed.stream {
            let stream = try await service.chatStream(parsed.chat, principal: principal)
            return GatewayChatStream(stream: stream, includeUsage: parsed.includeUsage, logger: context.logger).response()
        }
        let completion = try await service.chat(parsed.chat, principal: principal)
        return try Self.json(GatewayWire.completion(completion.response, id: completion.id, created: completion.created))
    }

    private func embeddings(_ request: Request, _ context: AppRequestContext, _ principal: Principal) async throws -> Response {
        let body = try await Self.body(request, context)
        guard let object = body.objectValue else { throw APIError.invalidRequest("the body must be a JSON object") }
        let inputs: [String]
        switch object["input"] {
        case .string(let text)?: inputs = [text]
        case .array(let items)? where !items.isEmpty && items.allSatisfy({ $0.stringValue != nil }): inputs = items.compactMap(\.stringValue)
        case nil: throw APIError.invalidRequest("the field `input` is required", param: "input")
        default:
            throw APIError.invalidRequest("`input` must be a string or a non-empty array of strings (token arrays are not supported)", param: "input")
        }
        guard inputs.count <= 2048 else {
            throw APIError.invalidRequest("`input` has \(inputs.count) entries; at most 2048 are allowed", param: "input")
        }
        guard !inputs.contains(where: \.isEmpty) else {
            throw APIError.invalidRequest("`input` must not contain empty strings", param: "input")
        }
        guard let model = object["model"]?.stringValue, !model.isEmpty, model.utf8.count <= 256 else {
            throw APIError.invalidRequest(
                "the field `model` is required (an embedding model id, at most 256 bytes)", hint: "GET /v1/models lists the models.", param: "model")
        }
        let dimensions = try GatewayChatRequest.integer(object, "dimensions", in: 1...65_536)
        let format = try GatewayChatRequest.string(object, "encoding_format") ?? "float"
        guard format == "float" || format == "base64" else {
            throw APIError.invalidRequest("`encoding_format` must be float or base64", param: "encoding_format")
        }
        let user = try GatewayChatRequest.string(object, "user", maxBytes: 256)
        let response = try await service.embeddings(
            EmbeddingRequest(model: model, inputs: inputs, dimensions: dimensions, user: user), principal: principal)
        var json = GatewayWire.embeddings(response)
        if format == "base64", case .object(var top) = json {
            top["data"] = .array(response.embeddings.enumerated().map { index, vector in
                ["object": "embedding", "index": .int(index), "embedding": .string(Self.base64(vector))]
            })
            json = .object(top)
        }
        return try Self.json(json)
    }

    /// Little-endian float32 bytes, base64 (OpenAI's `encoding_format: base64`).
    static func base64(_ vector: [Float]) -> String {
        var data = Data(capacity: vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data.base64EncodedString()
    }

    /// The body as JSON, within the size and depth limits, strictly parsed.
    static func body(_ request: Request, _ context: AppRequestContext) async throws -> JSONValue {
        let buffer = try await JSONBody.bytes(request, context: context)
        return try JSONBody.parse(Data(buffer.readableBytesView))
    }

    static func json(_ value: JSONValue) throws -> Response {
        let data = try JSONEncoder.sorted.encode(value)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
