using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;

namespace Kvmspec.Spec.Trace;

/// <summary>Input: the VMM writes a vCPU register with KVM_SET_ONE_REG.</summary>
public sealed record SetOneReg(CoreReg Reg, ulong Value) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "set_one_reg";
    public override string Describe() => Reg == CoreReg.PSTATE
        ? $"KVM_SET_ONE_REG(pstate, {PSTATE.Decode(Value)?.ToString() ?? $"0x{Value:X}"})"
        : $"KVM_SET_ONE_REG(pc, 0x{Value:X})";
}
