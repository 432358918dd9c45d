using System.CommandLine;
using System.Globalization;
using Drover.Cli.Output;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Images.Catalog;

namespace Drover.Cli.Commands;

/// <summary><c>drover image prune -l SELECTOR --keep N</c>: keep the newest N snapshots per architecture, delete the rest.</summary>
internal static class ImagePruneCommand
{
    public static Command Create(CliEnv env)
    {
        var selector = Common.Selector();
        selector.Required = true;
        var keep = new Option<int>("--keep") { Description = "How many of the newest matching snapshots to keep per architecture", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only show what would be deleted" };
        var output = Common.Output();
        var command = new Command("prune", "Delete all but the newest N snapshots matching a selector (per architecture; delete-protected ones are kept)") { selector, keep, dryRun, output };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var sel = Common.ParseSelector(parse.GetValue(selector)) ?? throw new UsageException("--selector must not be empty");
            var n = parse.GetValue(keep);
            if (n < 0)
            {
                throw new UsageException("--keep must be 0 or more");
            }
            var client = await env.Connector.ConnectAsync(parse.GetValue(Common.Context), ct);
            var matching = await client.Images.ListAsync(new ImageListOptions { Type = [ImageType.Snapshot], LabelSelector = sel }, ct).ToListAsync(ct);
            var doomed = SnapshotRetention.ToDelete(matching, n);
            if (!parse.GetValue(dryRun))
            {
                foreach (var image in doomed)
                {
                    await client.Images.DeleteAsync(image.Id, ct);
                }
            }
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Json.Write<IReadOnlyList<Image>>(env.IO.Out, doomed, c => c.IReadOnlyListImage);
            }
            else
            {
                var table = new Table("ID", "DESCRIPTION", "ARCH", "CREATED", parse.GetValue(dryRun) ? "WOULD DELETE" : "DELETED");
                foreach (var i in doomed)
                {
                    table.Add(i.Id.ToString(CultureInfo.InvariantCulture), i.Description, i.Architecture.Value, i.Created.ToString("u", CultureInfo.InvariantCulture), "yes");
                }
                table.Write(env.IO.Out);
            }
            await env.IO.Error.WriteLineAsync($"{matching.Count} snapshots match, {doomed.Count} {(parse.GetValue(dryRun) ? "would be" : "were")} deleted");
            return Common.Ok;
        });
        return command;
    }
}
