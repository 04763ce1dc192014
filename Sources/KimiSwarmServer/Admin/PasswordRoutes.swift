import Foundation
import Hummingbird
import KimiSwarmStore
import KimiSwarmPlatform
import NIOPosix

/// `PUT /me/password`: a user sets or changes their dashboard password (the current one is
/// required once one is set). Only the person may: a credential that is not them (an API key,
/// or a session made from one) gets a 403, whichever user made the key. Hashes are scrypt, computed off the request threads; a new
/// password ends every dashboard session of the user.
struct PasswordRoutes {
    let store: SwarmStore
    let passwords: PasswordHasher

    struct Body: Decodable {
        var currentPassword: String?
        var newPassword: String
        static let allowedKeys: Set<String> = ["current_password", "new_password"]
        enum CodingKeys: String, CodingKey {
            case currentPassword = "current_password"
            case newPassword = "new_password"
        }
    }

    /// Passwords must be 10 to 1024 bytes.
    static func validate(_ password: String, field: String) throws {
        guard password.count >= 10 else {
            throw APIError.unprocessable("the password is shorter than 10 characters", hint: "Use a longer passphrase.", param: field)
        }
        guard password.utf8.count <= 1024 else { throw APIError.unprocessable("the password is longer than 1024 bytes", param: field) }
    }

    /// The scrypt hash of `password`, computed on the thread pool (it takes a fraction of a second on purpose).
    static func hash(_ password: String, with hasher: PasswordHasher) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { try hasher.hash(password) }
    }

    func register(_ api: APIRoutes) {
        api.on(.put, "me/password", .account) { request, context, principal in
            // The password is the person's: never changed through an API key, whoever made it.
            let userID = try principal.requirePerson(to: "changing a password")
            guard let user = try await store.directory.user(id: userID) else { throw APIError.notFound("user") }
            let body = try await Admin.body(Body.self, request, context, allowedKeys: Body.allowedKeys)
            try Self.validate(body.newPassword, field: "new_password")
            if let current = try await store.directory.credentials(email: user.email)?.passwordHash {
                guard let given = body.currentPassword else {
                    throw APIError.unprocessable("`current_password` is required to change a password", param: "current_password")
                }
                let hasher = passwords
                guard try await NIOThreadPool.singleton.runIfActive({ hasher.verify(given, against: current) }) else {
                    throw APIError.forbidden("the current password is wrong", hint: "Type your current password again.")
                }
            }
            try await store.directory.setPasswordHash(userID: userID, hash: try await Self.hash(body.newPassword, with: passwords))
            return Admin.noContent()
        }
    }
}
