namespace Kvmspec.Spec.Invariants;

/// <summary>One violation of an invariant in a trace: which invariant, along which path, at which
/// event, and why.</summary>
/// <remarks><see cref="Key"/> ("NO-LEAK:userspace") is what variants declare and what the verdict
/// matrix shows.</remarks>
public sealed record Violation(string Invariant, string Path, int EventIndex, string Message)
{
    public string Key => $"{Invariant}:{Path}";
    public override string ToString() => $"{Key} at event {EventIndex}: {Message}";
}
