using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;

namespace Kvmspec.Spec.Trace;

/// <summary>Query: the VMM reads a vCPU register with KVM_GET_ONE_REG and sees <see cref="Value"/>.</summary>
public sealed record GetOneReg(OneReg Reg, ulong Value) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Query;
    public override string Verb => "get_one_reg";
    public override string Describe() => Reg == OneReg.PSTATE
        ? $"KVM_GET_ONE_REG(pstate) = {PSTATE.Decode(Value)?.ToString() ?? $"0x{Value:X}"}"
        : $"KVM_GET_ONE_REG({Reg.ToString().ToLowerInvariant()}) = 0x{Value:X}";
}
