/// The version of the library and its tools, defined once: `train --version`, `translate
/// --version` and `inspect --version` print it. Raised when the tools' flags or the library's
/// public API change in a way users notice.
public let tinyTranslatorVersion = "0.2.0"
