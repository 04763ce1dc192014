import Foundation
import HTTPTypes
import KimiSwarmCore
import KimiSwarmPlatform
import Hummingbird
import KimiSwarmStore
import NIOCore

/// `GET /usage` and `GET /usage.csv`: the tenant's usage over whole UTC days
/// (`from`/`to`, `YYYY-MM-DD`, inclusive; default: this month so far) grouped by day, model,
/// provider, template or key (from the daily rollups) or user (from the ledger). Costs are
/// exact decimals written as strings; calls the response cache answered cost 0, and
/// `saved_usd` is what they would have cost.
struct UsageRoutes {
    let store: SwarmStore
    let now: @Sendable () -> Date

    /// The longest range one request may ask for.
    static let maxDays = 366

    struct Query {
        var from: String
        var to: String
        var groupBy: String
    }

    func register(_ api: APIRoutes) {
        api.on(.get, "usage", .usageRead) { request, _, principal in
            let parsed = try query(request)
            return try JSONBody.response(UsageReportDTO(query: parsed, groups: try await groups(parsed, principal)))
        }
        api.on(.get, "usage.csv", .usageRead) { request, _, principal in
            let parsed = try query(request)
            var text = "\(parsed.groupBy),calls,cache_hits,prompt_tokens,cached_prompt_tokens,completion_tokens,reasoning_tokens,total_tokens,cost_usd,saved_usd\r\n"
            for group in try await groups(parsed, principal) {
                let usage = group.usage
                text += [
                    Self.csvField(group.key), "\(group.calls)", "\(group.cacheHits)", "\(usage.promptTokens)", "\(usage.cachedPromptTokens)",
                    "\(usage.completionTokens)", "\(usage.reasoningTokens)", "\(usage.totalTokens)", Admin.money(group.costUSD), Admin.money(group.savedUSD),
                ].joined(separator: ",") + "\r\n"
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8",
                    .contentDisposition: "attachment; filename=\"usage-\(parsed.from)-\(parsed.to).csv\"",
                ],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// Reads and checks `from`, `to` and `group_by`.
    func query(_ request: Request) throws -> Query {
        let parameters = request.uri.queryParameters
        let today = UsageRollup.day(of: now())
        let from = parameters.get("from") ?? String(today.prefix(8)) + "01"
        let to = parameters.get("to") ?? today
        for (name, value) in [("from", from), ("to", to)] where Self.date(value) == nil {
            throw APIError.invalidRequest("`\(name)` must be a date such as 2026-01-31", param: name)
        }
        guard let start = Self.date(from), let end = Self.date(to), start <= end else {
            throw APIError.invalidRequest("`from` must not be after `to`", param: "from")
        }
        guard end.timeIntervalSince(start) < Double(Self.maxDays) * 86_400 else {
            throw APIError.invalidRequest("the range may span at most \(Self.maxDays) days", param: "to")
        }
        let groupBy = parameters.get("group_by") ?? "day"
        guard Self.dimensions.contains(groupBy) else {
            throw APIError.invalidRequest("`group_by` must be one of \(Self.dimensions.joined(separator: ", "))", param: "group_by")
        }
        return Query(from: from, to: to, groupBy: groupBy)
    }

    static let dimensions = ["day", "model", "provider", "template", "key", "user"]

    func groups(_ query: Query, _ principal: Principal) async throws -> [UsageGroup] {
        switch query.groupBy {
        case "user":
            guard let start = Self.date(query.from), let end = Self.date(query.to) else { return [] }
            return try await store.usage.byUser(tenantID: principal.tenantID, from: start, to: end.addingTimeInterval(86_400))
        case "key":
            return try await store.usage.breakdown(tenantID: principal.tenantID, fromDay: query.from, toDay: query.to, by: .apiKey)
        default:
            let dimension = UsageDimension(rawValue: query.groupBy) ?? .day
            return try await store.usage.breakdown(tenantID: principal.tenantID, fromDay: query.from, toDay: query.to, by: dimension)
        }
    }

    /// Midnight UTC of a strict `YYYY-MM-DD`.
    static func date(_ text: String) -> Date? {
        guard (try? /^\d{4}-\d{2}-\d{2}$/.wholeMatch(in: text)) != nil, let date = ISO8601.date(text) else { return nil }
        return UsageRollup.day(of: date) == text ? date : nil
    }

    /// A CSV field, quoted when it needs to be; a leading `=`, `+`, `-` or `@` is defused for
    /// spreadsheets.
    static func csvField(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// `GET /usage`'s body.
struct UsageReportDTO: Encodable {
    var query: UsageRoutes.Query
    var groups: [UsageGroup]

    struct Row: Encodable {
        var key: String
        var group: UsageGroup

        enum CodingKeys: String, CodingKey {
            case key, calls
            case cacheHits = "cache_hits"
            case promptTokens = "prompt_tokens"
            case cachedPromptTokens = "cached_prompt_tokens"
            case completionTokens = "completion_tokens"
            case reasoningTokens = "reasoning_tokens"
            case totalTokens = "total_tokens"
            case costUSD = "cost_usd"
            case savedUSD = "saved_usd"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(key, forKey: .key)
            try container.encode(group.calls, forKey: .calls)
            try container.encode(group.cacheHits, forKey: .cacheHits)
            try container.encode(group.usage.promptTokens, forKey: .promptTokens)
            try container.encode(group.usage.cachedPromptTokens, forKey: .cachedPromptTokens)
            try container.encode(group.usage.completionTokens, forKey: .completionTokens)
            try container.encode(group.usage.reasoningTokens, forKey: .reasoningTokens)
            try container.encode(group.usage.totalTokens, forKey: .totalTokens)
            try container.encode(Admin.money(group.costUSD), forKey: .costUSD)
            try container.encode(Admin.money(group.savedUSD), forKey: .savedUSD)
        }
    }

    enum CodingKeys: String, CodingKey {
        case from, to, data, total
        case groupBy = "group_by"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(query.from, forKey: .from)
        try container.encode(query.to, forKey: .to)
        try container.encode(query.groupBy, forKey: .groupBy)
        try container.encode(groups.map { Row(key: $0.key, group: $0) }, forKey: .data)
        var total = UsageGroup(key: "total")
        for group in groups {
            total.calls += group.calls
            total.cacheHits += group.cacheHits
            total.usage += group.usage
            total.costUSD += group.costUSD
            total.savedUSD += group.savedUSD
        }
        try container.encode(Row(key: "total", group: total), forKey: .total)
    }
}
