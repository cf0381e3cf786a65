import XCTest

final class MetricsTestsPlaceholder: XCTestCase {}
