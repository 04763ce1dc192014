import Foundation
import KimiSwarmCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The worker id of this process's queue workers, kept across restarts so that a replica that
/// crashed or was killed takes back the runs it held at once (their leases would otherwise run
/// for their full 30 s).
///
/// `KIMISWARM_WORKER_ID` names it (a Kubernetes pod name, say). Otherwise it is kept in a file
/// in the data folder (`worker-id-serve`, `worker-id-worker`), locked while the process runs:
/// a second process started on the same folder finds the lock held and takes a fresh id of its
/// own, so two live processes never share one (they would take each other's jobs).
enum ReplicaIdentity {
    /// The open, locked id file (kept open for the process's life: closing it would unlock it).
    nonisolated(unsafe) private static var lockedFile: Int32 = -1

    static func workerID(kind: String, dataDirectory: String, environment: [String: String]) throws -> String {
        if let given = environment["KIMISWARM_WORKER_ID"], !given.isEmpty {
            guard given.utf8.count <= 64, given.utf8.allSatisfy({ isIDByte($0) }) else {
                throw KimiSwarmError.configuration(
                    "KIMISWARM_WORKER_ID must be 1 to 64 letters, digits, `.`, `-` or `_`", hint: "Use the replica's name, such as its pod name.")
            }
            return given
        }
        let fresh = "\(kind)-" + UUID().uuidString.prefix(8).lowercased()
        let path = (dataDirectory as NSString).appendingPathComponent("worker-id-\(kind)")
        try? FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return fresh }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return fresh  // another live process on this folder has it
        }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = read(descriptor, &buffer, buffer.count)
        let stored = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        let id: String
        if !stored.isEmpty, stored.utf8.count <= 64, stored.utf8.allSatisfy({ isIDByte($0) }) {
            id = stored
        } else {
            id = fresh
            _ = ftruncate(descriptor, 0)
            _ = lseek(descriptor, 0, SEEK_SET)
            let bytes = Array((id + "\n").utf8)
            _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        }
        lockedFile = descriptor
        return id
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
}
