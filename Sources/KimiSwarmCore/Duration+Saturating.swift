/// Conversions from floating-point seconds that never trap.
///
/// `Duration.seconds(_: Double)` and `Int64(_: Double)` trap on NaN, infinity and values out of
/// range, and a number that reached us from a request, a file or the database can be any of
/// those. Validation refuses such values with a clear error at the edge; these conversions are
/// the second line, so that a value that slipped through can never bring a process down.
extension Duration {
    /// The longest duration ``saturating(seconds:)`` gives: 100 years, far beyond any limit we
    /// accept and far below `Int64` overflow in any unit.
    public static let saturationLimit: Duration = .seconds(3_155_760_000)

    /// `seconds` as a duration, clamped to `0...saturationLimit`; NaN gives zero.
    public static func saturating(seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return seconds == .infinity ? saturationLimit : .zero }
        let limit = 3_155_760_000.0
        if seconds >= limit { return saturationLimit }
        let whole = seconds.rounded(.down)
        let attoseconds = ((seconds - whole) * 1e18).rounded(.down)
        return Duration(secondsComponent: Int64(whole), attosecondsComponent: min(Int64(max(attoseconds, 0)), 999_999_999_999_999_999))
    }
}

extension Int {
    /// `value` rounded toward zero and clamped to `range`; NaN gives the range's lower bound.
    /// For figures that are only displayed or compared, never for money.
    public static func clamping(_ value: Double, to range: ClosedRange<Int> = Int.min...Int.max) -> Int {
        guard !value.isNaN else { return range.lowerBound }
        if value <= Double(range.lowerBound) { return range.lowerBound }
        // `Double(Int.max)` rounds up to 2^63, which `Int` cannot hold: compare with `>=`.
        if value >= Double(range.upperBound) { return range.upperBound }
        return Int(value)
    }
}
