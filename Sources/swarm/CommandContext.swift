import ArgumentParser
import Foundation
import KimiSwarmClient
import KimiSwarmCore
import Logging

/// What a command needs: the loaded configuration, the registry, the client and a logger.
///
/// This is the only place that reads the environment and files, and the only place that
/// creates the root logger.
struct CommandContext {
    let configuration: KimiSwarmConfiguration
    let registry: ModelRegistry
    let client: LLMClient
    let logger: Logger

    /// Loads everything. The client has no persistent cache tier: commands that want one (and
    /// the run journal) open the store with ``LocalStore``, `swarm serve` with its own database,
    /// so `swarm models` never creates a file.
    static func load(_ options: GlobalOptions, defaultLogLevel: Logger.Level = .warning) async throws -> CommandContext {
        let environment = ProcessInfo.processInfo.environment
        do {
            let path = try ConfigurationLoader.requireConfigFilePath(
                environment: environment, explicit: options.config,
                fileExists: { FileManager.default.fileExists(atPath: $0) })
            let file = try path.map { try readConfigFile($0) }
            let loaded = try ConfigurationLoader.load(environment: environment, configFile: file)
            var configuration = loaded.configuration
            let logger = bootstrapLogging(configuration.observability, override: options.logLevel, quietDefault: defaultLogLevel)
            for warning in loaded.warnings { logger.warning("\(warning)") }
            let modelsPath = configuration.modelsFile
            let registry = try ModelRegistryLoader.load(userFile: try modelsPath.map { try readConfigFile($0) })
            configuration.modelsFile = modelsPath
            let client = LLMClient.make(configuration: configuration, registry: registry, logger: logger, persistentStore: nil)
            return CommandContext(configuration: configuration, registry: registry, client: client, logger: logger)
        } catch let error as KimiSwarmError {
            throw CommandFailure(error)
        }
    }

    static func readConfigFile(_ path: String) throws -> ConfigFile {
        do {
            return ConfigFile(path: path, contents: try String(contentsOfFile: path, encoding: .utf8))
        } catch {
            throw KimiSwarmError.configuration(
                "cannot read '\(path)': \((error as NSError).localizedDescription)",
                hint: "Check the path given by --config, KIMI_CONFIG_FILE or models_file.")
        }
    }

    private static func bootstrapLogging(_ settings: ObservabilitySettings, override: String?, quietDefault: Logger.Level) -> Logger {
        let configured = settings.logLevel.flatMap { Logger.Level(rawValue: $0.rawValue) }
        // The CLI prints answers on stdout; with no level set it keeps stderr to warnings and
        // worse (the server commands log at info). A level set with --log-level, in the
        // environment or in the file applies to every command.
        let level = override.flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? configured ?? quietDefault
        let format = settings.logFormat
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler
            switch format {
            case .json: handler = JSONLogHandler(label: label)
            case .text: handler = StreamLogHandler.standardError(label: label)
            }
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "kimiswarm")
        logger.logLevel = level
        return logger
    }
}

/// A failure that ends the command with a message on stderr and an exit status:
/// 2 for configuration problems (a missing key, a bad setting), 1 for everything else.
struct CommandFailure: Error, CustomStringConvertible {
    let error: KimiSwarmError

    init(_ error: KimiSwarmError) {
        self.error = error
    }

    var description: String { error.description }

    var exitCode: ExitCode { error.category == .configuration ? ExitCode(2) : ExitCode(1) }

    /// Prints the error and returns the exit code to throw.
    static func report(_ error: any Error) -> any Error {
        let failure: CommandFailure
        switch error {
        case let known as CommandFailure: failure = known
        case let known as KimiSwarmError: failure = CommandFailure(known)
        case is CancellationError: return ExitCode(130)
        default: return error
        }
        var text = "error: \(failure.description)\n"
        if let upstream = failure.error.upstreamMessage, !upstream.isEmpty {
            // The person at the terminal sent the request, so the provider's own words are
            // theirs to see; keys are masked all the same.
            text += "provider said: \(redactSecrets(String(upstream.prefix(600))))\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
        return failure.exitCode
    }

    /// Masks the values of `*_KEY` environment variables and long token-like runs.
    static func redactSecrets(_ text: String) -> String {
        var result = text
        for (name, value) in ProcessInfo.processInfo.environment where name.hasSuffix("_KEY") && value.count >= 4 {
            result = result.replacingOccurrences(of: value, with: "***")
        }
        var output = ""
        var run = ""
        func flush() {
            output += run.count >= 24 && run.contains(where: \.isNumber) ? "***" : run
            run = ""
        }
        for character in result {
            if character.isLetter || character.isNumber || character == "-" || character == "_" {
                run.append(character)
            } else {
                flush()
                output.append(character)
            }
        }
        flush()
        return output
    }
}

/// A command whose failures are reported by ``CommandFailure`` (message on stderr, exit 1 or 2).
protocol ReportingCommand: AsyncParsableCommand {
    /// The command's work; errors thrown here are reported, not printed by ArgumentParser.
    func execute() async throws
}

extension ReportingCommand {
    mutating func run() async throws {
        do {
            try await execute()
        } catch {
            throw CommandFailure.report(error)
        }
    }
}
