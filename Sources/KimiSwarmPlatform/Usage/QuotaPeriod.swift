package import Foundation

/// The quota periods a date falls in (its UTC day and month) and what is left of a budget:
/// the one calculation that run admission (``RunAdmission``) and the per-call checks
/// (``QuotaEnforcer``) share.
package struct QuotaPeriod: Sendable, Hashable {
    /// `YYYY-MM-DD` (UTC).
    package let day: String
    /// `YYYY-MM` (UTC).
    package let month: String
    /// The first instant of the month and of the next month, and of the next day.
    package let monthStart: Date
    package let nextMonth: Date
    package let nextDay: Date

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The periods `date` falls in.
    package init(containing date: Date) {
        let calendar = Self.utc
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        month = String(format: "%04ld-%02ld", parts.year ?? 1970, parts.month ?? 1)
        day = month + String(format: "-%02ld", parts.day ?? 1)
        monthStart = calendar.date(from: calendar.dateComponents([.year, .month], from: date)) ?? date
        nextMonth = calendar.date(byAdding: .month, value: 1, to: monthStart) ?? date.addingTimeInterval(31 * 86_400)
        let dayStart = calendar.startOfDay(for: date)
        nextDay = calendar.date(byAdding: .day, value: 1, to: dayStart) ?? date.addingTimeInterval(86_400)
    }

    /// The month's first day, `YYYY-MM-01`: month totals are summed from there to ``day``.
    package var firstDayOfMonth: String { month + "-01" }

    /// The first day of the next month, `YYYY-MM-DD`, when a monthly budget renews.
    package var renewalDay: String { QuotaPeriod(containing: nextMonth).day }

    /// Seconds from `date` to the next UTC day.
    package static func secondsToNextDay(_ date: Date) -> Double { QuotaPeriod(containing: date).nextDay.timeIntervalSince(date) }

    /// Seconds from `date` to the next UTC month.
    package static func secondsToNextMonth(_ date: Date) -> Double { QuotaPeriod(containing: date).nextMonth.timeIntervalSince(date) }

    /// What is left of `limit` once `spent` and what calls in flight `reserved` are counted
    /// (0 or less: used up).
    package static func remaining<T: Numeric & Comparable>(of limit: T, spent: T, reserved: T) -> T {
        limit - spent - reserved
    }
}
