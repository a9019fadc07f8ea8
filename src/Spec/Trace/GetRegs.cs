using Kvmspec.Spec.X86;

namespace Kvmspec.Spec.Trace;

/// <summary>Query (x86): the VMM reads the vCPU's registers with KVM_GET_REGS and sees RIP, RFLAGS,
/// RBX, RCX and RDI (the registers the model's programs use).</summary>
public sealed record GetRegs(ulong Rip, ulong Rflags, ulong Rbx = 0, ulong Rcx = 0, ulong Rdi = 0) : TraceEvent
{
    public override Lane Lane => Lane.Vmm;
    public override EventRole Role => EventRole.Query;
    public override string Verb => "get_regs";
    public override string Describe() =>
        $"KVM_GET_REGS = rip=0x{Rip:X} rflags={X86.Rflags.Describe(Rflags)} rbx=0x{Rbx:X}{(Rcx != 0 ? $" rcx=0x{Rcx:X}" : "")}{(Rdi != 0 ? $" rdi=0x{Rdi:X}" : "")}";
}
