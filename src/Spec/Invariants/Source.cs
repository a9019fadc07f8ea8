namespace Kvmspec.Spec.Invariants;

/// <summary>Where a rule, an invariant or a variant comes from: a document a reader can look up.</summary>
/// <remarks>STYLE.md §4: a source names its kind; a commit gives its 12-character hash and subject;
/// manual sections are named by title, since numbers drift between issues.</remarks>
public sealed record Source(SourceKind Kind, string Ref, string Title)
{
    public override string ToString() => Kind switch
    {
        SourceKind.Commit => $"commit {Ref} \"{Title}\"",
        SourceKind.Thread => $"thread {Ref} \"{Title}\"",
        SourceKind.ArmArm => $"Arm ARM DDI 0487, \"{Title}\"",
        SourceKind.IntelSdm => $"Intel SDM, \"{Title}\"",
        SourceKind.KvmApi => $"Documentation/virt/kvm/api.rst, \"{Title}\"",
        SourceKind.KernelSource => $"{Ref}: {Title}",
        SourceKind.Selftest => $"selftest {Ref}: {Title}",
        SourceKind.Qemu => $"QEMU {Ref}: {Title}",
        SourceKind.Inference => $"inference: {Title}",
        _ => $"{Ref} {Title}",
    };
}
