import KimiSwarmClient
import KimiSwarmCore
import Testing

@Suite("Server-Sent Events parser")
struct ServerSentEventParserTests {
    @Test("events split at every byte boundary parse the same as whole", arguments: [1, 2, 3, 7, 64])
    func arbitraryChunking(chunkSize: Int) {
        let text = "event: message_start\ndata: {\"a\":1}\n\n: a comment\r\ndata: line one\r\ndata: line two\r\n\r\nid: 7\rdata: é ünïcode\r\rdata: [DONE]\n\n"
        let bytes = Array(text.utf8)
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        var offset = 0
        while offset < bytes.count {
            events += parser.feed(bytes[offset..<min(offset + chunkSize, bytes.count)])
            offset += chunkSize
        }
        #expect(events == [
            ServerSentEvent(event: "message_start", data: #"{"a":1}"#),
            ServerSentEvent(data: "line one\nline two"),
            ServerSentEvent(data: "é ünïcode", id: "7"),
            ServerSentEvent(data: "[DONE]", id: "7"),
        ])
    }

    @Test("a final event without its blank line is delivered by finish()")
    func finishFlushes() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("data: tail".utf8)).isEmpty)
        #expect(parser.finish() == ServerSentEvent(data: "tail"))
    }

    @Test("a BOM, fields without a space and unknown fields are handled per spec")
    func edgeCases() {
        var parser = ServerSentEventParser()
        let events = parser.feed(Array("\u{FEFF}data:x\nretry: 10\nfoo: bar\n\nevent: only\n\n".utf8))
        #expect(events == [ServerSentEvent(data: "x")])
    }
}

@Suite("Special token filter")
struct SpecialTokenFilterTests {
    @Test("whole texts lose their special tokens and keep lookalikes")
    func whole() {
        #expect(SpecialTokenFilter.strip("a<|im_end|>b") == "ab")
        #expect(SpecialTokenFilter.strip("<|tool_calls_section_begin|>x<|tool_call_end|>") == "x")
        #expect(SpecialTokenFilter.strip("x < y and a <| b |> c") == "x < y and a <| b |> c")
        #expect(SpecialTokenFilter.strip("<||>") == "<||>")
        #expect(SpecialTokenFilter.strip("if a<b && c|>d") == "if a<b && c|>d")
    }

    @Test("tokens split across any two deltas are removed, held text is released")
    func split() {
        let text = "Hello<|im_end|> world <3"
        for cut in 1..<text.count {
            var filter = SpecialTokenFilter()
            let first = String(text.prefix(cut))
            let second = String(text.dropFirst(cut))
            let output = filter.feed(first) + filter.feed(second) + filter.flush()
            #expect(output == "Hello world <3", "cut at \(cut)")
        }
    }
}
