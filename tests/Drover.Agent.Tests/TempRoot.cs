namespace Drover.Agent.Tests;

/// <summary>A temporary directory the agent treats as <c>/</c>; deleted on dispose.</summary>
internal sealed class TempRoot : IDisposable
{
    public TempRoot() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "drover-agent-test-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The real path of an absolute path inside the root.</summary>
    public string this[string absolute] => System.IO.Path.Join(Path, absolute);

    public string Read(string absolute) => File.ReadAllText(this[absolute]);

    public UnixFileMode Mode(string absolute) => File.GetUnixFileMode(this[absolute]);

    public void Write(string absolute, string content)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(this[absolute])!);
        File.WriteAllText(this[absolute], content);
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
