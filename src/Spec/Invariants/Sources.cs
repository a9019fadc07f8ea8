namespace Kvmspec.Spec.Invariants;

/// <summary>Constructors for <see cref="Source"/> values, named after their kind.</summary>
public static class Sources
{
    public static Source Commit(string hash12, string subject) => new(SourceKind.Commit, hash12, subject);
    public static Source Thread(string date, string subject) => new(SourceKind.Thread, date, subject);
    public static Source ArmArm(string sectionTitle) => new(SourceKind.ArmArm, "DDI0487", sectionTitle);
    public static Source Sdm(string sectionTitle) => new(SourceKind.IntelSdm, "SDM", sectionTitle);
    public static Source Api(string sectionTitle) => new(SourceKind.KvmApi, "api.rst", sectionTitle);
    public static Source Code(string path, string what) => new(SourceKind.KernelSource, path, what);
    public static Source Selftest(string path, string what) => new(SourceKind.Selftest, path, what);
    public static Source Qemu(string path, string what) => new(SourceKind.Qemu, path, what);
    public static Source Inference(string what) => new(SourceKind.Inference, "", what);
}
