namespace Drover.Fleet.Tests;

/// <summary>A temporary folder holding a fleet file, its key and templates; deleted on dispose.</summary>
internal sealed class FleetDir : IDisposable
{
    public const string PublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl fleet-test";

    public FleetDir()
    {
        Root = Directory.CreateTempSubdirectory("drover-fleet-test-").FullName;
        File.WriteAllText(Path.Combine(Root, "admin.pub"), PublicKey + "\n");
    }

    public string Root { get; }

    public string FleetPath => Path.Combine(Root, "drover.yaml");

    public string Write(string yaml)
    {
        File.WriteAllText(FleetPath, yaml);
        return FleetPath;
    }

    public string WriteFile(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
