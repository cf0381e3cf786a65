import XCTest

final class TextTestsPlaceholder: XCTestCase {}
