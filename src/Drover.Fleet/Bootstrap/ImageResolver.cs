using Drover.Fleet.Config;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;

namespace Drover.Fleet.Bootstrap;

/// <summary>
/// Finds the cloud image a host's <see cref="ImageSpec"/> means for its server type's architecture, and refuses one that
/// is missing, unavailable, of the wrong architecture or without the labels the file expects. Each image is looked up
/// once per architecture.
/// </summary>
internal sealed class ImageResolver(HcloudClient client, PlanDiagnostics diagnostics)
{
    private readonly Dictionary<(string Spec, string Arch), Image?> _cache = [];

    public async Task<Image?> ResolveAsync(HostSpec host, ServerType type, CancellationToken cancellationToken)
    {
        var spec = host.Image;
        var field = ImageField(spec);
        var hostField = spec.SourcePath.StartsWith("hosts.", StringComparison.Ordinal) ? field : $"hosts.{host.Name}.image";
        var arch = type.Architecture.Value;
        if (spec.Architecture is { } declared && declared != arch)
        {
            diagnostics.Add(hostField, $"image '{spec.Name}' is {declared} but server type {type.Name} is {arch}");
            return null;
        }
        var key = (spec.Name, arch);
        if (!_cache.TryGetValue(key, out var image))
        {
            image = spec.Kind switch
            {
                ImageKind.Pinned => await client.Images.GetAsync(spec.Id!.Value, cancellationToken),
                ImageKind.Named => await client.Images.GetByNameAsync(spec.ImageName!, type.Architecture, cancellationToken),
                _ => await MostRecentAsync(spec.Selector!, type.Architecture, cancellationToken),
            };
            _cache[key] = image;
        }
        var what = spec.Kind switch
        {
            ImageKind.Pinned => $"image {spec.Id}",
            ImageKind.Named => $"image '{spec.ImageName}' ({arch})",
            _ => $"no available {arch} image matches '{spec.Selector}'",
        };
        if (image is null)
        {
            diagnostics.Add(field, spec.Kind == ImageKind.Selector ? what : $"{what} does not exist");
            return null;
        }
        if (image.Status != ImageStatus.Available)
        {
            diagnostics.Add(field, $"{what} is {image.Status}, not available");
            return null;
        }
        if (image.Architecture != type.Architecture)
        {
            diagnostics.Add(hostField, $"{what} is {image.Architecture} but server type {type.Name} is {arch}");
            return null;
        }
        var missing = spec.ExpectLabels.Where(l => image.Labels.GetValueOrDefault(l.Key) != l.Value).Select(l => $"{l.Key}={l.Value}").ToList();
        if (missing.Count > 0)
        {
            diagnostics.Add(spec.SourcePath + ".labels", $"{what} lacks the expected label(s) {string.Join(", ", missing)}");
            return null;
        }
        return image;
    }

    private async Task<Image?> MostRecentAsync(string selector, Architecture architecture, CancellationToken cancellationToken)
    {
        var page = await client.Images.ListPageAsync(new ImageListOptions
        {
            LabelSelector = LabelSelector.Parse(selector),
            Architecture = architecture,
            Status = [ImageStatus.Available],
            Sort = ["created:desc", "id:desc"],
        }, 1, 1, cancellationToken);
        return page.FirstOrDefault;
    }

    /// <summary>The field that chose the image: <c>hosts.web1.image</c>, or <c>images.NAME.id</c> / <c>.name</c> / <c>.selector</c>.</summary>
    private static string ImageField(ImageSpec spec)
    {
        if (spec.SourcePath.StartsWith("hosts.", StringComparison.Ordinal))
        {
            return spec.SourcePath + (spec.Kind == ImageKind.Selector ? ".image_selector" : ".image");
        }
        return spec.SourcePath + spec.Kind switch
        {
            ImageKind.Pinned => ".id",
            ImageKind.Named => ".name",
            _ => ".selector",
        };
    }
}
