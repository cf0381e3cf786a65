import XCTest

final class CheckpointTestsPlaceholder: XCTestCase {}
