using Shouldly;

namespace Drover.Testing;

/// <summary>A request did not match what a <see cref="StubHttpHandler"/> expected; fails the test.</summary>
public sealed class StubMismatchException(string message, Exception? innerException = null)
    : ShouldAssertException(message, innerException);
