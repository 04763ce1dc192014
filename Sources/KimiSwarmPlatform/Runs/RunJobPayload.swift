import Foundation
import KimiSwarmCore

/// The queue job that executes a run: which run, of which tenant, for whom.
package struct RunJobPayload: Codable, Sendable, Hashable {
    package static let kind = "run"
    package static let queue = "runs"

    package init(tenantID: String, runID: String) {
        self.tenantID = tenantID
        self.runID = runID
    }

    package var tenantID: String
    package var runID: String

    package enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id"
        case runID = "run_id"
    }

    package var text: String { String(decoding: (try? JSONEncoder.sorted.encode(self)) ?? Data(), as: UTF8.self) }
}
