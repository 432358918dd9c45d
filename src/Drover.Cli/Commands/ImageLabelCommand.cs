using System.CommandLine;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;

namespace Drover.Cli.Commands;

/// <summary><c>drover image label ID k=v.. [k-]</c>: set (and with a trailing '-', remove) labels on a snapshot.</summary>
internal static class ImageLabelCommand
{
    public static Command Create(CliEnv env)
    {
        var id = new Argument<long>("id") { Description = "Image ID" };
        var changes = new Argument<string[]>("labels") { Description = "k=v to set, k- to remove", Arity = ArgumentArity.OneOrMore };
        var output = Common.Output();
        var command = new Command("label", "Set or remove labels of a snapshot or backup: 'role=web' sets, 'role-' removes") { id, changes, output };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var set = new List<string>();
            var remove = new List<string>();
            foreach (var change in parse.GetValue(changes)!)
            {
                if (change.EndsWith('-') && !change.Contains('=', StringComparison.Ordinal))
                {
                    var key = change[..^1];
                    _ = LabelValidation.KeyProblem(key) is { } problem ? throw new UsageException($"'{change}': {problem}") : 0;
                    remove.Add(key);
                }
                else
                {
                    set.Add(change);
                }
            }
            var additions = Parsing.Labels("labels", set);
            var client = await env.Connector.ConnectAsync(parse.GetValue(Common.Context), ct);
            var image = await client.Images.GetAsync(parse.GetValue(id), ct) ?? throw new UsageException($"image not found: {parse.GetValue(id)}");
            var labels = new Dictionary<string, string>(image.Labels);
            foreach (var key in remove)
            {
                labels.Remove(key);
            }
            foreach (var (k, v) in additions)
            {
                labels[k] = v;
            }
            var updated = await client.Images.UpdateAsync(image.Id, new UpdateImageRequest { Labels = labels }, ct);
            ImagePrinter.Print(env, updated, parse.GetValue(output));
            return Common.Ok;
        });
        return command;
    }
}
