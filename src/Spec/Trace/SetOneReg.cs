using Kvmspec.Spec.Arm64;
using Kvmspec.Spec.Kvm;

namespace Kvmspec.Spec.Trace;

/// <summary>Input: the VMM writes a vCPU register with KVM_SET_ONE_REG; <see cref="Error"/> is set when KVM refused the value.</summary>
public sealed record SetOneReg(OneReg Reg, ulong Value, Errno? Error = null) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Input;
    public override string Verb => "set_one_reg";
    public override string Describe() => Reg == OneReg.PSTATE
        ? $"KVM_SET_ONE_REG(pstate, {PSTATE.Decode(Value)?.ToString() ?? $"0x{Value:X}"})"
        : $"KVM_SET_ONE_REG({Reg.ToString().ToLowerInvariant()}, 0x{Value:X}){(Error is { } e ? $" = -{e}" : "")}";
}
