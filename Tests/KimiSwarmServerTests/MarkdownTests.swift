import Foundation
import Testing

@testable import KimiSwarmPlatform
@testable import KimiSwarmServer

@Suite("Dashboard Markdown and HTML")
struct MarkdownTests {
    @Test("raw HTML in a report stays text; unsafe links lose their target")
    func safe() {
        let html = Markdown.html("# Title <img src=x onerror=alert(1)>\n\nA [link](javascript:alert(1)) and [ok](https://example.com).\n\n<script>x</script>").rendered
        #expect(!html.contains("<img") && !html.contains("<script"))
        #expect(html.contains("&lt;script&gt;"))
        #expect(!html.contains("javascript:"))
        #expect(html.contains("<a href=\"https://example.com\" rel=\"noopener noreferrer\">ok</a>"))
    }

    @Test("headings, lists, code, tables, quotes and emphasis")
    func blocks() {
        let html = Markdown.html(
            """
            ## Findings
            - **High**: `token` leaks
            - *Low*: nothing
            1. first
            2. second

            ```swift
            let a = "<b>"
            ```
            > quoted

            | agent | cost |
            | --- | ---: |
            | a\\|b | 1 |
            """
        ).rendered
        #expect(html.contains("<h2>Findings</h2>"))
        #expect(html.contains("<ul><li><strong>High</strong>: <code>token</code> leaks</li><li><em>Low</em>: nothing</li></ul>"))
        #expect(html.contains("<ol><li>first</li><li>second</li></ol>"))
        #expect(html.contains("<pre><code>let a = &quot;&lt;b&gt;&quot;</code></pre>"))
        #expect(html.contains("<blockquote><p>quoted</p>\n</blockquote>"))
        #expect(html.contains("<td>a|b</td><td class=\"num\">1</td>"))
    }

    @Test("a report of a hundred thousand nested quotes renders at a bounded depth, without recursing that deep")
    func deepQuotes() {
        let html = Markdown.html(String(repeating: ">", count: 100_000) + " deep").rendered
        #expect(html.components(separatedBy: "<blockquote>").count - 1 == Markdown.maxQuoteDepth + 1)
        #expect(html.contains("deep"))
    }

    @Test("interpolated text is escaped, HTML values are not")
    func interpolation() {
        let name = "<b>\"x\" & 'y'</b>"
        let inner: HTML = "<i>\(name)</i>"
        let outer: HTML = "<p>\(inner)</p>"
        #expect(outer.rendered == "<p><i>&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;</i></p>")
    }
}
