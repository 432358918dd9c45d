using Drover.Images.Build;
using Drover.Images.Scan;
using Drover.Testing;
using Shouldly;
using Xunit;

namespace Drover.Images.Tests;

/// <summary>
/// One real debian build (mmdebstrap from the machine's apt mirror, or the cached root file system in
/// <c>~/.cache/drover/rootfs</c>), shared by the tests below. Needs root, mmdebstrap, GRUB (grub-pc-bin and
/// grub-efi-amd64-bin), e2fsprogs, fdisk, dosfstools, mtools and zstd; skipped with the reason otherwise.
/// </summary>
public sealed class DebianBuildFixture : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("drover-debian-build-");

    public string? SkipReason { get; private set; }
    public BuildResult? Result { get; private set; }
    public Exception? Failure { get; private set; }
    public string Agent { get; private set; } = "";
    public string WorkDirectory => _dir.FullName;

    public async ValueTask InitializeAsync()
    {
        SkipReason = Prerequisites();
        if (SkipReason is not null)
        {
            return;
        }
        Agent = FindAgent() ?? StandIn();
        try
        {
            Result = await new DebianBuilder().BuildAsync(Options("clean"));
        }
        catch (Exception e)
        {
            Failure = e;
        }
    }

    public DebianBuildOptions Options(string name) => new()
    {
        Name = name,
        AgentPath = Agent,
        OutputDirectory = Path.Combine(_dir.FullName, name),
        Labels = new Dictionary<string, string> { ["role"] = "web" },
    };

    public ValueTask DisposeAsync()
    {
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    private static string? Prerequisites()
    {
        if (!DebianBuilder.IsRoot())
        {
            return "the debian builder needs root (mmdebstrap)";
        }
        foreach (var tool in new[] { "/usr/bin/mmdebstrap", "/usr/bin/grub-mkimage", "/usr/lib/grub/i386-pc/boot.img", "/usr/lib/grub/x86_64-efi/linux.mod", "/usr/sbin/mkfs.ext4", "/usr/sbin/mkfs.vfat", "/usr/bin/mcopy", "/usr/sbin/sfdisk", "/usr/bin/zstd", "/usr/sbin/debugfs" })
        {
            if (!File.Exists(tool))
            {
                return $"needs {tool} (bash scripts/setup installs mmdebstrap grub-pc-bin grub-efi-amd64-bin grub-common e2fsprogs dosfstools mtools fdisk zstd)";
            }
        }
        return null;
    }

    /// <summary>The published agent, when the repository has one (artifacts/agent/linux-x64/drover-agent).</summary>
    private static string? FindAgent()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Drover.slnx")))
            {
                var agent = Path.Combine(dir.FullName, "artifacts", "agent", "linux-x64", "drover-agent");
                return File.Exists(agent) ? agent : null;
            }
        }
        return null;
    }

    /// <summary>A shell stand-in for the agent: the builder installs whatever file it is given.</summary>
    private string StandIn()
    {
        var path = Path.Combine(_dir.FullName, "drover-agent");
        File.WriteAllText(path, "#!/bin/sh\necho 'drover-agent stand-in'\nmkdir -p /var/lib/drover && touch /var/lib/drover/agent.done\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }
}

[MachineTier]
public sealed class BuildDebianTests(DebianBuildFixture fixture) : IClassFixture<DebianBuildFixture>
{
    private BuildResult Built()
    {
        if (fixture.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }
        fixture.Failure.ShouldBeNull(fixture.Failure?.ToString());
        return fixture.Result!;
    }

    [Fact]
    public async Task A_debian_build_writes_a_gpt_disk_for_bios_and_uefi_and_its_manifest()
    {
        var ct = TestContext.Current.CancellationToken;
        var result = Built();

        var m = ImageManifest.Read(result.ManifestPath);
        var image = Path.Combine(fixture.WorkDirectory, "clean", "clean.raw");
        m.Path.ShouldBe(image);
        m.Builder.ShouldBe("debian");
        m.Architecture.ShouldBe("x86");
        m.Labels.ShouldBe(new Dictionary<string, string> { ["os"] = "debian", ["version"] = "12", ["arch"] = "x86", ["role"] = "web" }, ignoreOrder: true);
        m.Scan.ShouldBe(new ImageScan(true, m.Scan.Findings));
        m.Scan.Findings.ShouldBeEmpty();
        m.Size.ShouldBe(new FileInfo(image).Length);
        m.Sha256.ShouldBe(await Upload.ImageDigest.OfFileAsync(image, null, ct));

        // GPT: BIOS boot (1 MiB at 1 MiB), the EFI system partition, the root last (x86-64 root type).
        using var table = System.Text.Json.JsonDocument.Parse(await TestProcess.CheckAsync("/usr/sbin/sfdisk", "-J", image));
        var partitionTable = table.RootElement.GetProperty("partitiontable");
        partitionTable.GetProperty("label").GetString().ShouldBe("gpt");
        var partitions = partitionTable.GetProperty("partitions").EnumerateArray()
            .Select(p => (Start: p.GetProperty("start").GetInt64(), Size: p.GetProperty("size").GetInt64(), Type: p.GetProperty("type").GetString())).ToList();
        partitions.ShouldBe([
            (2048, 2048, "21686148-6449-6E6F-744E-656564454649"),
            (4096, 64 * 2048, "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"),
            (4096 + (64 * 2048), partitions[2].Size, "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709"),
        ]);
        var mbr = new byte[512];
        var core = new byte[512];
        await using (var f = File.OpenRead(image))
        {
            await f.ReadExactlyAsync(mbr, ct);
            f.Position = 2048 * 512;
            await f.ReadExactlyAsync(core, ct);
        }
        // boot.img's code, pointed at core.img in the BIOS boot partition (LBA 2048); core.img's block list at LBA 2049.
        var bootImg = await File.ReadAllBytesAsync("/usr/lib/grub/i386-pc/boot.img", ct);
        mbr.AsSpan(0, 0x5c).SequenceEqual(bootImg.AsSpan(0, 0x5c)).ShouldBeTrue("GRUB boot.img is not in the MBR");
        mbr.AsSpan(0x64, 440 - 0x64).SequenceEqual(bootImg.AsSpan(0x64, 440 - 0x64)).ShouldBeTrue("GRUB boot.img is not in the MBR");
        BitConverter.ToInt64(mbr, 0x5c).ShouldBe(2048);
        BitConverter.ToInt64(core, 0x1f4).ShouldBe(2049);
        mbr[510].ShouldBe((byte)0x55);
        mbr[511].ShouldBe((byte)0xaa);
        // The ESP holds GRUB for UEFI at the removable-media path.
        var esp = await TestProcess.CheckAsync("mdir", "-b", "-i", $"{image}@@{4096 * 512}", "::/EFI/BOOT");
        esp.ShouldContain("BOOTX64.EFI");
    }

    [Fact]
    public async Task The_built_disk_scans_clean_and_holds_what_the_customisation_wrote()
    {
        var ct = TestContext.Current.CancellationToken;
        Built();
        var image = Path.Combine(fixture.WorkDirectory, "clean", "clean.raw");

        var scan = await RawImageScanner.ScanRawImageAsync(image, ct);

        scan.ShouldBe(new ImageScan(true, scan.Findings));
        scan.Findings.ShouldBeEmpty();
        var offset = $"{image}?offset={(4096 + (64 * 2048)) * 512}";
        (await TestProcess.CheckAsync("/usr/sbin/debugfs", "-R", "cat /etc/fstab", offset)).ShouldContain("LABEL=root");
        (await TestProcess.CheckAsync("/usr/sbin/debugfs", "-R", "cat /boot/grub/grub.cfg", offset)).ShouldContain("console=ttyS0,115200 net.ifnames=0");
        (await TestProcess.CheckAsync("/usr/sbin/debugfs", "-R", "ls -l /etc/ssh", offset)).ShouldNotContain("ssh_host_");
        (await TestProcess.CheckAsync("/usr/sbin/debugfs", "-R", "stat /usr/local/bin/drover-agent", offset)).ShouldContain("Mode:  0755");
        (await TestProcess.CheckAsync("/usr/sbin/debugfs", "-R", "ls /etc/systemd/system/multi-user.target.wants", offset))
            .ShouldSatisfyAllConditions(s => s.ShouldContain("drover-agent.service"), s => s.ShouldContain("drover-ssh-hostkeys.service"));
    }

    [Fact]
    public async Task The_built_x86_disk_boots_to_a_login_prompt_under_seabios_and_under_ovmf()
    {
        var ct = TestContext.Current.CancellationToken;
        Built();
        foreach (var file in new[] { "/usr/bin/qemu-system-x86_64", "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd" })
        {
            if (!File.Exists(file))
            {
                Assert.Skip($"{file} is missing (bash scripts/setup installs qemu-system-x86 and ovmf)");
            }
        }
        var image = Path.Combine(fixture.WorkDirectory, "clean", "clean.raw");
        var dir = Path.Combine(fixture.WorkDirectory, "boots");
        Directory.CreateDirectory(dir);
        var vars = Path.Combine(dir, "OVMF_VARS.fd");
        File.Copy("/usr/share/OVMF/OVMF_VARS_4M.fd", vars, overwrite: true);

        // Both at once, from the same image (read-only: each writes to its own temporary overlay).
        var bios = QemuBoot.StartAsync(image, Path.Combine(dir, "bios.log"), [], ct);
        var uefi = QemuBoot.StartAsync(image, Path.Combine(dir, "uefi.log"),
            ["-drive", "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd", "-drive", $"if=pflash,format=raw,file={vars}"], ct);
        var (biosConsole, uefiConsole) = (await bios, await uefi);

        // SeaBIOS → GRUB i386-pc from the BIOS boot partition → Linux → systemd → a getty on the serial console.
        biosConsole.ShouldContain("Linux version");
        biosConsole.ShouldContain("login:");
        biosConsole.ShouldNotContain("BdsDxe");
        // OVMF → \EFI\BOOT\BOOTX64.EFI on the ESP → the root's grub.cfg → Linux → a getty.
        uefiConsole.ShouldContain("BdsDxe");
        uefiConsole.ShouldContain("Linux version");
        uefiConsole.ShouldContain("login:");
    }

    [Fact]
    public async Task A_build_with_a_planted_private_key_is_refused_naming_the_file_and_writes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        Built();
        var keyDir = Directory.CreateTempSubdirectory("drover-planted-key-");
        try
        {
            var key = Path.Combine(keyDir.FullName, "id_rsa");
            await TestProcess.CheckAsync("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", key);
            var options = fixture.Options("planted") with { ExtraFiles = [new ExtraFile(key, "/etc/foo/id_rsa")] };

            var e = await Should.ThrowAsync<SecretsFoundException>(() => new DebianBuilder().BuildAsync(options, cancellationToken: ct));

            var finding = e.Findings.ShouldHaveSingleItem();
            finding.Path.ShouldBe("/etc/foo/id_rsa");
            finding.Kind.ShouldBe("private-key");
            e.Message.ShouldContain("/etc/foo/id_rsa");
            (Directory.Exists(options.OutputDirectory) ? Directory.GetFiles(options.OutputDirectory) : []).ShouldBeEmpty();
        }
        finally
        {
            keyDir.Delete(recursive: true);
        }
    }
}

/// <summary>
/// Boots a disk image under QEMU/TCG (no network: <c>-nic none</c>; the image itself is never written: <c>snapshot=on</c>)
/// until its serial console shows a login prompt, then stops QEMU by its own process; returns the console.
/// </summary>
internal static class QemuBoot
{
    public static async Task<string> StartAsync(string image, string console, IReadOnlyList<string> firmware, CancellationToken ct)
    {
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/qemu-system-x86_64") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            "-accel", "tcg", "-m", "1024", "-smp", "2", "-nodefaults", "-display", "none", "-vga", "none", "-nic", "none",
            "-serial", $"file:{console}",
            "-drive", $"file={image},format=raw,if=none,id=d0,snapshot=on", "-device", "virtio-scsi-pci", "-device", "scsi-hd,drive=d0",
        }.Concat(firmware))
        {
            start.ArgumentList.Add(a);
        }
        using var qemu = System.Diagnostics.Process.Start(start)!;
        var stderr = qemu.StandardError.ReadToEndAsync(ct);
        try
        {
            // A guard against a boot that never ends, not a measure: TCG on a busy machine takes one to three minutes.
            using var guard = CancellationTokenSource.CreateLinkedTokenSource(ct);
            guard.CancelAfter(TimeSpan.FromMinutes(8));
            while (true)
            {
                var text = File.Exists(console) ? await File.ReadAllTextAsync(console, guard.Token) : "";
                if (text.Contains("login:", StringComparison.Ordinal))
                {
                    return text;
                }
                if (qemu.HasExited)
                {
                    throw new InvalidOperationException($"QEMU exited with {qemu.ExitCode} before a login prompt: {await stderr}\n--- console ---\n{text}");
                }
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), guard.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new TimeoutException($"no login prompt on the serial console within 8 minutes\n--- console ---\n{text}");
                }
            }
        }
        finally
        {
            if (!qemu.HasExited)
            {
                qemu.Kill();
                await qemu.WaitForExitAsync(CancellationToken.None);
            }
        }
    }
}
