using System.Text.Json;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;
using Drover.Testing;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>
/// One local cloud on 127.0.0.1 with real rescue systems for a test class, plus the source images the tests upload
/// (24 MiB: random data, a pattern, zeros). Tests skip with the cloud's own reason where machines are not possible.
/// </summary>
public sealed class MachineCloudFixture : IAsyncLifetime
{
    public const long ImageBytes = 24L << 20;

    public TestLocalCloud Cloud { get; private set; } = null!;
    public DirectoryInfo Dir { get; } = Directory.CreateTempSubdirectory("drover-upload-tests-");
    public string Raw => Path.Combine(Dir.FullName, "image.raw");
    public string? SkipReason { get; private set; }

    public async ValueTask InitializeAsync()
    {
        (Cloud, SkipReason) = await TestLocalCloud.StartWithMachinesAsync(Path.Combine(Dir.FullName, "state"));
        if (SkipReason is not null)
        {
            return;
        }
        await using var f = File.Create(Raw);
        var random = new byte[5 << 20];
        new Random(7).NextBytes(random);
        f.Write(random);
        f.Seek(12 << 20, SeekOrigin.Begin);
        f.Write(Enumerable.Repeat((byte)0xa5, 2 << 20).ToArray());
        f.SetLength(ImageBytes);
    }

    public void SkipUnlessMachines()
    {
        if (SkipReason is not null)
        {
            Assert.Skip(SkipReason);
        }
    }

    public HcloudClient Client() => Cloud.CreateClient(maxRetries: 2);

    /// <summary>Makes a compressed (or qcow2) variant of the source image with a system tool; cached per name.</summary>
    public async Task<string> VariantAsync(string name, string shell)
    {
        var path = Path.Combine(Dir.FullName, name);
        if (!File.Exists(path))
        {
            var (exit, _, stderr) = await TestProcess.RunAsync("bash", ["-c", shell.Replace("{raw}", Raw, StringComparison.Ordinal).Replace("{out}", path, StringComparison.Ordinal)]);
            if (exit != 0)
            {
                throw new InvalidOperationException($"{shell}: {stderr}");
            }
        }
        return path;
    }

    public async Task<Uri> ServeAsync(string path)
    {
        var response = await Cloud.ControlAsync(HttpMethod.Post, "files", JsonSerializer.Serialize(new Dictionary<string, string> { ["path"] = path }));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return new Uri(json.RootElement.GetProperty("url").GetString()!);
    }

    public async Task<string> SnapshotDiskAsync(long imageId)
    {
        using var json = JsonDocument.Parse(await (await Cloud.ControlAsync(HttpMethod.Get, $"images/{imageId}")).Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("disk_path").GetString()!;
    }

    /// <summary>No temporary server or key of any Drover run is left, and no snapshot carries this test's label.</summary>
    public async Task<string?> LeftoversAsync(HcloudClient client, string testLabel)
    {
        var created = LabelSelector.Parse(DroverLabels.CreatedBy);
        var servers = await client.Servers.ListAsync(new ServerListOptions { LabelSelector = created }).ToListAsync();
        var keys = await client.SshKeys.ListAsync(new SshKeyListOptions { LabelSelector = created }).ToListAsync();
        var snapshots = await client.Images.ListAsync(new ImageListOptions { Type = [ImageType.Snapshot], LabelSelector = LabelSelector.Parse($"test={testLabel}") }).ToListAsync();
        var left = servers.Select(s => $"server {s.Name}").Concat(keys.Select(k => $"key {k.Name}")).Concat(snapshots.Select(i => $"snapshot {i.Id}")).ToList();
        return left.Count == 0 ? null : string.Join(", ", left);
    }

    public async ValueTask DisposeAsync()
    {
        await Cloud.DisposeAsync();
        Dir.Delete(recursive: true);
    }
}
