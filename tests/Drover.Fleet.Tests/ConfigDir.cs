namespace Drover.Fleet.Tests;

/// <summary>A temporary directory holding a fleet file and the files it refers to.</summary>
internal sealed class ConfigDir : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("drover-fleet-test-");

    /// <summary>A syntactically valid OpenSSH public key line.</summary>
    public static string PublicKey { get; } = "ssh-ed25519 " + Convert.ToBase64String(new byte[51]) + " test@example";

    public string Root => _dir.FullName;

    public string FleetPath => Path.Combine(Root, "drover.yaml");

    public ConfigDir Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return this;
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
