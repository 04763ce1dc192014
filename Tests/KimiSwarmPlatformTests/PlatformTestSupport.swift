import Logging

/// The platform tests' logger (silent).
let serverTestLogger: Logger = {
    var logger = Logger(label: "kimiswarm.platform-tests", factory: { _ in SwiftLogNoOpLogHandler() })
    logger.logLevel = .critical
    return logger
}()
