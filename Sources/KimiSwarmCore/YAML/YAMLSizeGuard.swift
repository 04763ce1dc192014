import CYaml

/// Refuses YAML whose *expanded* size is out of bounds, before anything builds a tree of it.
///
/// Aliases make a small text stand for a huge document: nine anchors of nine aliases each are
/// 387 million nodes in 500 bytes (the "billion laughs"). Yams shares aliased nodes, so
/// composing is cheap, but anything that walks the tree (hashing a complex key while
/// composing, converting `output_schema` to JSON) walks every expanded node, and a tenant's
/// template (or a config file) could pin a core or exhaust memory. This reads libyaml's event stream once, keeps
/// the expanded size of every anchored node, and stops as soon as the document would expand
/// past ``maxNodes`` or nest deeper than ``maxDepth``: the work is bounded by the text.
package struct YAMLSizeGuard {
    /// The most nodes the document may expand to (aliases counted at their full size).
    package var maxNodes = 100_000
    /// The deepest nesting of sequences and mappings.
    package var maxDepth = 64

    /// Why a text was refused.
    package struct Problem: Error, CustomStringConvertible {
        package var description: String
    }

    /// Throws a ``Problem`` when `text` expands beyond the limits. Syntax errors are left to
    /// the real parser, which reports them with a line and column.
    package init() {}

    package func check(_ text: String) throws(Problem) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw Problem(description: "the YAML parser could not start") }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        // (Sizes per open collection; the anchors' expanded sizes.)
        var open: [(anchor: String?, size: Int)] = [(nil, 0)]
        var anchors: [String: Int] = [:]
        try bytes.withUnsafeMutableBufferPointer { buffer throws(Problem) in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return }
                defer { yaml_event_delete(&event) }
                var finished: (anchor: String?, size: Int)?
                switch event.type {
                case YAML_STREAM_END_EVENT, YAML_NO_EVENT:
                    return
                case YAML_SCALAR_EVENT:
                    finished = (Self.name(event.data.scalar.anchor), 1)
                case YAML_ALIAS_EVENT:
                    finished = (nil, Self.name(event.data.alias.anchor).flatMap { anchors[$0] } ?? 1)
                case YAML_SEQUENCE_START_EVENT:
                    open.append((Self.name(event.data.sequence_start.anchor), 1))
                case YAML_MAPPING_START_EVENT:
                    open.append((Self.name(event.data.mapping_start.anchor), 1))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    if open.count > 1 { finished = open.removeLast() }
                default:
                    break
                }
                if open.count - 1 > maxDepth {
                    throw Problem(description: "the YAML nests more than \(maxDepth) levels deep")
                }
                guard let node = finished else { continue }
                if let anchor = node.anchor { anchors[anchor] = node.size }
                // Every open collection grows by the finished node; the outermost total is the document's.
                open[open.count - 1].size += node.size
                if open[open.count - 1].size > maxNodes || open.reduce(0, { $0 + $1.size }) > maxNodes {
                    throw Problem(
                        description: "the YAML expands to more than \(maxNodes) nodes (aliases counted in full); write it out without anchors")
                }
            }
        }
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
