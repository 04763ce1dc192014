/// A file handed to a loader as text: the command line reads it, tests build it in code.
///
/// Used for the config file (``ConfigurationLoader``) and for a user's model registry file
/// (``ModelRegistryLoader``).
public struct ConfigFile: Sendable, Hashable {
    /// The file's path as the user gave it; named in messages, and relative paths inside the
    /// file (such as `models_file`) start from its folder.
    public var path: String
    /// The file's text.
    public var contents: String

    /// Creates a file from its path and text.
    public init(path: String, contents: String) {
        self.path = path
        self.contents = contents
    }
}
