import Foundation

/// Small SVG charts drawn by the project (no plotting library): a scatter plot and a horizontal bar chart.
enum SVGPlots {
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                          "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
                          "#e6550d", "#31a354", "#756bb1", "#636363"]

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    struct Point {
        var x: Double
        var y: Double
        var group: Int
        var label: String
    }

    /// Structural score (x, 0...1) against FSR (y). FSR outside the drawn range is pinned to the edge and drawn
    /// hollow; points without an FSR are not drawn (the caption counts them).
    static func scatter(_ points: [Point], missing: Int, width: Double = 640, height: Double = 420) -> String {
        let left = 60.0, right = 20.0, top = 20.0, bottom = 50.0
        let yMin = min(-0.5, points.map(\.y).min() ?? 0), yMax = max(1.5, points.map(\.y).max() ?? 1)
        let lo = max(yMin, -2), hi = min(yMax, 3)
        func px(_ x: Double) -> Double { left + (width - left - right) * x }
        func py(_ y: Double) -> Double { top + (height - top - bottom) * (1 - (y - lo) / (hi - lo)) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"structural score against FSR\">"
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(width - left - right)\" height=\"\(height - top - bottom)\" fill=\"#fafafa\" stroke=\"#ccc\"/>"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            svg += "<line x1=\"\(px(tick))\" y1=\"\(top)\" x2=\"\(px(tick))\" y2=\"\(height - bottom)\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(px(tick))\" y=\"\(height - bottom + 16)\" font-size=\"11\" text-anchor=\"middle\">\(tick)</text>"
        }
        for tick in stride(from: (lo * 2).rounded(.up) / 2, through: hi, by: 0.5) {
            svg += "<line x1=\"\(left)\" y1=\"\(py(tick))\" x2=\"\(width - right)\" y2=\"\(py(tick))\" stroke=\"\(tick == 0 || tick == 1 ? "#bbb" : "#eee")\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(py(tick) + 4)\" font-size=\"11\" text-anchor=\"end\">\(tick)</text>"
        }
        svg += "<text x=\"\(px(0.5))\" y=\"\(height - 12)\" font-size=\"12\" text-anchor=\"middle\">structural score</text>"
        svg += "<text x=\"14\" y=\"\(py((lo + hi) / 2))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(py((lo + hi) / 2)))\">FSR</text>"
        for p in points {
            let clipped = p.y < lo || p.y > hi
            let y = min(max(p.y, lo), hi)
            let color = palette[(p.group - 1 + palette.count) % palette.count]
            svg += "<circle cx=\"\(px(min(max(p.x, 0), 1)))\" cy=\"\(py(y))\" r=\"4\" fill=\"\(clipped ? "none" : color)\" stroke=\"\(color)\"><title>\(escape(p.label))</title></circle>"
        }
        svg += "</svg>"
        if missing > 0 { svg += "<p class=\"caption\">\(missing) submission(s) without a time to target are not drawn.</p>" }
        return svg
    }

    /// Horizontal bars of values in 0...1.
    static func bars(_ items: [(String, Double, String)], width: Double = 640) -> String {
        let rowHeight = 18.0, labelWidth = 250.0
        let height = Double(items.count) * rowHeight + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"reproduction rate per innovation\">"
        for (i, item) in items.enumerated() {
            let y = Double(i) * rowHeight + 4
            let w = max(0, min(1, item.1)) * (width - labelWidth - 60)
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 12)\" font-size=\"11\" text-anchor=\"end\">\(escape(item.0))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(w)\" height=\"\(rowHeight - 6)\" fill=\"#3182bd\"/>"
            svg += "<text x=\"\(labelWidth + w + 4)\" y=\"\(y + 12)\" font-size=\"11\">\(escape(item.2))</text>"
        }
        return svg + "</svg>"
    }
}
