namespace Drover.Testing;

/// <summary>One script a <see cref="FakeRemoteShell"/> ran, and the bytes fed to its standard input (null: none).</summary>
public sealed record FakeShellCommand(string Script, byte[]? Stdin);
