import Foundation

/// One self-contained HTML page: inline CSS, the data as JSON in a `<script type="application/json">`
/// element, and inline JavaScript that draws everything from that data. No network, no CDN, no
/// library: it opens from `file://` with the network off.
public struct HTMLPage: Sendable {
    public var title: String
    /// CSS added after the shared style sheet.
    public var style: String
    /// The static skeleton inside `<body>` (the script fills it).
    public var body: String
    public var data: PageJSON
    /// JavaScript added after the shared helpers (`CommonScript.source`).
    public var script: String

    public init(title: String, style: String, body: String, data: PageJSON, script: String) {
        (self.title, self.style, self.body, self.data, self.script) = (title, style, body, data, script)
    }

    /// The whole document.
    public var html: String {
        // A Content-Security-Policy that forbids every fetch: the page cannot reach the network
        // even by mistake, and the browser test proves no request is made.
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Self.escape(title))</title>
        <style>
        \(PageStyle.common)
        \(style)
        </style>
        </head>
        <body>
        \(body)
        <script type="application/json" id="page-data">\(data.text)</script>
        <script>
        \(CommonScript.source)
        \(script)
        </script>
        </body>
        </html>

        """
    }

    /// Text for HTML: &, <, > and quotes escaped.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
