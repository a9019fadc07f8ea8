using Kvmspec.Spec.Kvm;

namespace Kvmspec.Spec.Trace;

/// <summary>Observation: a guest MRS returned this value (natively or through KVM's emulation).</summary>
public sealed record GuestRegRead(SysReg Reg, ulong Value) : TraceEvent
{
    public override Lane Lane => Lane.Guest;
    public override EventRole Role => EventRole.Observation;
    public override string Verb => "guest_reg_read";
    public override string Describe() => $"guest reads {Reg} = 0x{Value:X}";
}
