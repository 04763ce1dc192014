import Foundation

/// The dashboard's charts, drawn as SVG here (no chart library). Colours come from the
/// stylesheet through classes, so dark mode needs nothing from this code.
enum SVGCharts {
    struct Point: Sendable {
        var label: String
        var value: Double
        /// The tooltip (`<title>`).
        var detail: String
    }

    /// Vertical bars over a series of days (or any ordered labels), with a value axis.
    static func bars(_ points: [Point], caption: String, unit: (Double) -> String) -> HTML {
        guard !points.isEmpty else { return Layout.empty("Nothing in this range yet.") }
        let width = 720.0, height = 220.0, left = 56.0, bottom = 28.0, top = 10.0
        let maximum = niceCeiling(points.map(\.value).max() ?? 0)
        let plotWidth = width - left - 8, plotHeight = height - bottom - top
        let slot = plotWidth / Double(points.count)
        let barWidth = max(2, min(36, slot * 0.7))
        var grid: [HTML] = []
        for step in 0...4 {
            let value = maximum * Double(step) / 4
            let y = top + plotHeight - plotHeight * Double(step) / 4
            grid.append("<line class=\"grid\" x1=\"\(left)\" x2=\"\(width - 8)\" y1=\"\(y)\" y2=\"\(y)\"/>")
            grid.append("<text class=\"axis\" x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">\(unit(value))</text>")
        }
        let labelEvery = max(1, Int((Double(points.count) / 10).rounded(.up)))
        var bars: [HTML] = []
        for (index, point) in points.enumerated() {
            let barHeight = maximum > 0 ? plotHeight * point.value / maximum : 0
            let x = left + slot * Double(index) + (slot - barWidth) / 2
            bars.append(
                "<rect class=\"bar\" x=\"\(x)\" y=\"\(top + plotHeight - barHeight)\" width=\"\(barWidth)\" height=\"\(max(0, barHeight))\" rx=\"2\"><title>\(point.detail)</title></rect>"
            )
            if index % labelEvery == 0 {
                bars.append("<text class=\"axis\" x=\"\(x + barWidth / 2)\" y=\"\(height - 8)\" text-anchor=\"middle\">\(point.label)</text>")
            }
        }
        return """
            <figure class="chart-box"><svg class="chart" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(caption)">\(grid)\(bars)</svg>
            <figcaption>\(caption)</figcaption></figure>
            """
    }

    /// Horizontal bars for a breakdown (by model, template, user...), largest first.
    static func breakdown(_ points: [Point], caption: String, unit: (Double) -> String) -> HTML {
        guard !points.isEmpty else { return Layout.empty("Nothing in this range yet.") }
        let shown = Array(points.sorted { $0.value > $1.value }.prefix(8))
        let maximum = shown.map(\.value).max() ?? 0
        let rowHeight = 30.0, width = 520.0, labelWidth = 180.0, valueWidth = 84.0
        let height = rowHeight * Double(shown.count) + 4
        var rows: [HTML] = []
        for (index, point) in shown.enumerated() {
            let y = Double(index) * rowHeight + 4
            let barWidth = maximum > 0 ? (width - labelWidth - valueWidth) * point.value / maximum : 0
            let label = point.label.count > 26 ? String(point.label.prefix(25)) + "…" : point.label
            rows.append(
                """
                <g><title>\(point.detail)</title><text class="label" x="0" y="\(y + 17)">\(label)</text>\
                <rect class="bar" x="\(labelWidth)" y="\(y + 4)" width="\(max(1, barWidth))" height="\(rowHeight - 10)" rx="3"/>\
                <text class="value" x="\(width)" y="\(y + 17)" text-anchor="end">\(unit(point.value))</text></g>
                """)
        }
        return """
            <figure class="chart-box"><svg class="chart breakdown" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(caption)">\(rows)</svg>
            <figcaption>\(caption)</figcaption></figure>
            """
    }

    /// A budget gauge: how much of `limit` is used (an open-ended bar when there is no limit).
    static func gauge(used: Double, limit: Double?, label: String, id: String? = nil) -> HTML {
        let fraction = limit.map { $0 > 0 ? min(1, used / $0) : 1 } ?? 0
        let level = fraction >= 1 ? "over" : fraction >= 0.8 ? "warn" : "ok"
        let idAttribute: HTML = id.map { " id=\"\($0)\"" } ?? ""
        let figures = limit.map { "\(Layout.money(Decimal(used))) of \(Layout.money(Decimal($0)))" } ?? "\(Layout.money(Decimal(used))), no limit set"
        return """
            <div class="gauge"\(idAttribute) data-used="\(used)" data-limit="\(limit ?? 0)">
              <div class="gauge-label"><span>\(label)</span><span class="gauge-figures">\(figures)</span></div>
              <svg class="gauge-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
                <rect class="track" x="0" y="0" width="100" height="8" rx="4"/>
                <rect class="fill \(level)" x="0" y="0" width="\(fraction * 100)" height="8" rx="4"/>
              </svg>
            </div>
            """
    }

    /// A round number at or above `value` for the top of an axis.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for step in [1.0, 2, 4, 6, 8, 10] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }
}
