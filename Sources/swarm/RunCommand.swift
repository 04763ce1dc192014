import ArgumentParser
import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmEngine
import KimiSwarmStore

/// `swarm run`: a task through the swarm, with live progress, journaled for `--resume`.
struct RunCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a task through the swarm: plan, parallel sub-agents, one synthesised answer.",
        discussion: """
            Prints `run <ID>` on stderr first. Every model and tool call is journaled in the data
            directory, so `swarm run --resume <ID>` finishes an interrupted run without paying twice.
            Live progress goes to stderr; the final answer to stdout (and to --output).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The task ('-' reads it from standard input). Not needed with --resume.")
    var task: String?

    @Option(name: .long, help: "A ready-made swarm instead of planning (see `swarm agents list`): security, enterprise-architecture.")
    var swarm: String?

    @Option(name: .long, help: "A graph file (YAML or JSON with `tasks`) instead of planning.")
    var graph: String?

    @Option(name: .long, help: "Most sub-agents, delegated ones included (default 100).")
    var maxAgents: Int?

    @Option(name: .long, help: "Sub-agents running at once (default swarm.concurrency, 16).")
    var concurrency: Int?

    @Option(name: .long, help: "Most spend in US dollars.")
    var budgetUsd: String?

    @Option(name: .long, help: "Most tokens over the run.")
    var maxTokens: Int?

    @Option(name: .long, help: "Most tool calls over the run (default 1500).")
    var maxToolCalls: Int?

    @Option(name: .long, help: "Most wall time: 90s, 10m, 1h.")
    var maxTime: String?

    @Option(name: .long, help: "On a failed sub-task: retry (then fail the run), skip, or fail (default retry).")
    var onFailure: String?

    @Option(name: .long, help: "Write the final answer (Markdown) to this file.")
    var output: String?

    @Option(name: .long, help: "Resume the run with this id from the journal.")
    var resume: String?

    @Option(name: [.short, .long], help: "Provider for every call (default: the router or KIMI_DEFAULT_PROVIDER).")
    var provider: String?

    @Option(name: [.short, .long], help: "Model for every template (default: the tiers of the config file, else the provider's default model).")
    var model: String?

    @Option(name: .long, help: "Where runs and the response cache are kept, in kimiswarm.sqlite (default server.data_dir, ./.kimiswarm).")
    var dataDir: String?

    @Option(name: .long, help: "A folder of your own templates (and swarms/ under it).")
    var templates: String?

    @Option(name: .long, parsing: .singleValue, help: "A host, IP or CIDR that http_get may fetch although it is private (repeatable).")
    var allowHost: [String] = []

    @Flag(name: .long, help: "Print the result as JSON on stdout (progress stays on stderr).")
    var json = false

    @Flag(name: .long, help: "Plain progress lines even on a terminal.")
    var plain = false

    @Flag(name: .long, help: "Print the cost estimate and stop before any call.")
    var estimate = false

    func execute() async throws {
        try await LocalStore.withContext(global, dataDirectory: dataDir, required: true) { context, store in
            guard let store else { return }
            try await perform(context, journal: store.journal(tenantID: LocalStore.journalOwner))
        }
    }

    private func perform(_ context: CommandContext, journal: StoreRunJournal) async throws {
        let engine = try SwarmSetup.engine(
            context, journal: journal, provider: provider, model: model, templatesFolder: templates, allowHosts: allowHost)
        let run: SwarmRun
        if let resume {
            if task != nil || swarm != nil || graph != nil {
                throw KimiSwarmError.configuration(
                    "--resume takes the task, swarm and graph from the journal", hint: "Drop the task, --swarm and --graph.")
            }
            run = try await resumeRun(engine, runID: resume, dataDirectory: dataDir ?? context.configuration.server.dataDirectory)
        } else {
            let spec = try makeSpec(engine, defaultConcurrency: context.configuration.swarm.concurrency)
            let estimate = engine.estimate(spec)
            let line = Self.describe(estimate)
            if self.estimate {
                print(line)
                return
            }
            run = engine.makeRun(spec)
            FileHandle.standardError.write(Data("run \(run.id)\n\(line)\n".utf8))
        }
        if resume != nil { FileHandle.standardError.write(Data("run \(run.id)\n".utf8)) }
        let progress = ProgressPrinter(interactive: !plain && isatty(STDERR_FILENO) == 1)
        let result = await withTaskGroup(of: RunResult?.self) { group in
            group.addTask {
                for await envelope in run.events { progress.handle(envelope) }
                return nil
            }
            group.addTask { await run.run() }
            var result: RunResult?
            for await value in group where value != nil { result = value }
            return result
        }
        guard let result else { throw CancellationError() }
        progress.finish(result)
        try report(result)
    }

    /// The run from the journal; when it is missing and the data directory still holds the
    /// journal file of an older version (`runs.sqlite`, no longer read), the hint says so.
    private func resumeRun(_ engine: SwarmEngine, runID: String, dataDirectory: String) async throws -> SwarmRun {
        do {
            return try await engine.resume(runID: runID)
        } catch var error as KimiSwarmError {
            let legacy = (dataDirectory as NSString).appendingPathComponent("runs.sqlite")
            if FileManager.default.fileExists(atPath: legacy) {
                error.recoveryHint =
                    "\(legacy) is the journal of an older version and is no longer read: a run kept only there cannot resume "
                    + "with this version (finish it with the older binary, or run the task again)."
            }
            throw error
        }
    }

    private func makeSpec(_ engine: SwarmEngine, defaultConcurrency: Int) throws -> RunSpec {
        guard var text = task else {
            throw KimiSwarmError.configuration("no task given", hint: "Pass the task as an argument, '-' for stdin, or --resume <ID>.")
        }
        if text == "-" { text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw KimiSwarmError.configuration("the task is empty", hint: "Say what the swarm should do.")
        }
        if swarm != nil && graph != nil {
            throw KimiSwarmError.configuration("--swarm and --graph both given", hint: "Pick one, or neither to let the planner decide.")
        }
        var source = RunSpec.Source.planner
        if let swarm {
            guard engine.library.swarms[swarm] != nil else {
                throw KimiSwarmError.configuration(
                    "unknown swarm '\(swarm)'", hint: "Use one of: \(engine.library.swarms.keys.sorted().joined(separator: ", ")).")
            }
            source = .swarm(swarm)
        }
        if let graph {
            let contents: String
            do {
                contents = try String(contentsOfFile: graph, encoding: .utf8)
            } catch {
                throw KimiSwarmError.configuration("cannot read the graph file '\(graph)'", hint: "Check the path.")
            }
            do {
                source = .graph(try SwarmDefinition.graph(yaml: contents, file: graph))
            } catch {
                throw KimiSwarmError.configuration("the graph file is invalid:\n\(error.description)", hint: "Fix the fields named above.")
            }
        }
        var limits = RunLimits(concurrency: defaultConcurrency)
        if let maxAgents { limits.maxSubAgents = maxAgents }
        if let concurrency { limits.concurrency = concurrency }
        if let maxTokens { limits.maxTokens = maxTokens }
        if let maxToolCalls { limits.maxToolCalls = maxToolCalls }
        if let budgetUsd {
            guard let value = Decimal(string: budgetUsd, locale: Locale(identifier: "en_US_POSIX")), value > 0 else {
                throw KimiSwarmError.configuration("--budget-usd '\(budgetUsd)' is not a positive amount", hint: "Use a number such as 0.50.")
            }
            limits.maxCostUSD = value
        }
        if let maxTime { limits.maxWallSeconds = try DurationArgument.seconds(maxTime, option: "--max-time") }
        if let onFailure {
            guard let policy = FailurePolicy(rawValue: onFailure) else {
                throw KimiSwarmError.configuration("--on-failure '\(onFailure)' is not retry, skip or fail", hint: "Use one of those.")
            }
            limits.failurePolicy = policy
        }
        let problems = limits.problems
        if !problems.isEmpty {
            throw KimiSwarmError.configuration("invalid limits: \(problems.joined(separator: "; "))", hint: "Fix the options named.")
        }
        return RunSpec(task: text, source: source, limits: limits)
    }

    static func describe(_ estimate: RunEstimate) -> String {
        let prices = estimate.pricesKnown ? "" : " (prices unknown for the model: costs show as $0)"
        return "estimate: ~$\(UsageSummary.format(cost: estimate.expectedCostUSD)) expected, at most $\(UsageSummary.format(cost: estimate.maximumCostUSD))"
            + " · \(estimate.agents) sub-agents · ~\(estimate.expectedCalls) model calls (at most \(estimate.maximumCalls))\(prices)"
    }

    private func report(_ result: RunResult) throws {
        if let output, let answer = result.answer {
            do {
                try answer.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw KimiSwarmError.configuration("cannot write '\(output)'", hint: "Check that the folder exists and is writable.")
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            FileHandle.standardOutput.write(try encoder.encode(result))
            FileHandle.standardOutput.write(Data("\n".utf8))
        } else if let answer = result.answer {
            print(answer)
        }
        switch result.status {
        case .completed, .partial: return
        case .cancelled: throw ExitCode(130)
        case .failed:
            throw KimiSwarmError(
                category: .internal, message: "the run failed: \(result.error ?? "unknown error")",
                recoveryHint: "Fix the cause and run `swarm run --resume \(result.runID)`; finished steps are not paid again.")
        }
    }
}
