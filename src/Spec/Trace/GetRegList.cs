using System.Collections.Immutable;
using Kvmspec.Spec.Kvm;

namespace Kvmspec.Spec.Trace;

/// <summary>Query: KVM_GET_REG_LIST returned these registers (api.rst "KVM_GET_REG_LIST").</summary>
public sealed record GetRegList(ImmutableArray<OneReg> Regs) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Query;
    public override string Verb => "get_reg_list";
    public override string Describe() => $"KVM_GET_REG_LIST = [{string.Join(", ", Regs.Select(r => r.ToString().ToLowerInvariant()))}]";

    public bool Equals(GetRegList? other) => other is not null && Regs.SequenceEqual(other.Regs);
    public override int GetHashCode() => Regs.Aggregate(17, (h, r) => h * 31 + (int)r);
}
