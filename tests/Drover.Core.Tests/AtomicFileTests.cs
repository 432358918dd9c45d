using Drover.Core.Files;
using Shouldly;
using Xunit;

namespace Drover.Core.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("drover-atomic-test-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_dir.FullName, name);

    [Fact]
    public void A_new_file_gets_the_mode_asked_for_whatever_the_umask()
    {
        AtomicFile.WriteAllText(PathOf("secret"), "token", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        AtomicFile.WriteAllText(PathOf("public"), "x", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        File.ReadAllText(PathOf("secret")).ShouldBe("token");
        File.GetUnixFileMode(PathOf("secret")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(PathOf("public")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    [Fact]
    public void A_replaced_file_keeps_its_mode_and_a_link_keeps_pointing_at_it()
    {
        File.WriteAllText(PathOf("real"), "old");
        File.SetUnixFileMode(PathOf("real"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.CreateSymbolicLink(PathOf("link"), PathOf("real"));

        AtomicFile.WriteAllText(PathOf("link"), "new");

        File.ResolveLinkTarget(PathOf("link"), returnFinalTarget: false)!.FullName.ShouldBe(PathOf("real"));
        File.ReadAllText(PathOf("real")).ShouldBe("new");
        File.GetUnixFileMode(PathOf("real")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [Fact]
    public void A_failed_write_leaves_the_old_file_and_no_temporary_file()
    {
        File.WriteAllText(PathOf("target"), "old");
        Directory.CreateDirectory(PathOf("dir"));

        Should.Throw<IOException>(() => AtomicFile.WriteAllText(PathOf("dir"), "new"));

        File.ReadAllText(PathOf("target")).ShouldBe("old");
        _dir.GetFiles("*.tmp").ShouldBeEmpty();
    }

    [Fact]
    public async Task Concurrent_writers_never_leave_a_torn_file()
    {
        var writers = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            for (var n = 0; n < 50; n++)
            {
                AtomicFile.WriteAllText(PathOf("shared"), new string((char)('a' + i), 10_000));
            }
        }, TestContext.Current.CancellationToken));

        await Task.WhenAll(writers);

        var text = File.ReadAllText(PathOf("shared"));
        text.Length.ShouldBe(10_000);
        text.Distinct().Count().ShouldBe(1);
        _dir.GetFiles("*.tmp").ShouldBeEmpty();
    }
}
