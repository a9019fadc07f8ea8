using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;

namespace Kvmspec.Spec.Invariants;

/// <summary>The x86 guest's own RFLAGS.TF, IF and interrupt shadow as the trace shows the guest and
/// userspace setting them, and the host's current KVM_SET_GUEST_DEBUG: the reference the x86
/// invariants judge against, never the model's internals.</summary>
/// <remarks>Rules (Intel SDM, as <see cref="X86Sdm"/> states them): the header's initial RFLAGS;
/// POPF, IRETQ and SYSRETQ load the RFLAGS image their retirement records; STI sets IF (a shadow
/// when IF was 0), CLI clears it, MOV SS opens a shadow; any other retirement ends a shadow;
/// interrupt and exception delivery clears TF and IF; SYSCALL masks TF and IF (IA32_FMASK);
/// KVM_SET_REGS sets RFLAGS, and so does a KVM_RUN that copies in a dirty KVM_SYNC_X86_REGS
/// (<see cref="X86SyncedRegs"/>). A refused KVM_SET_GUEST_DEBUG changes nothing.</remarks>
public sealed class X86GuestView(TraceHeader header)
{
    public bool Tf { get; private set; } = Rflags.Tf(header.InitialPstate ?? 0);
    public bool If { get; private set; } = Rflags.If(header.InitialPstate ?? 0);
    public Shadow Shadow { get; private set; }
    public X86SetGuestDebug Host { get; private set; } = new(X86GuestDebug.None);

    public bool HostDebugging => Host.Enabled;
    public bool HostStepping => Host.SingleStep;

    /// <summary>The retired instruction's kind, from its text (the first words; a trailing {fep} marks forced emulation).</summary>
    public static X86InstructionKind? KindOf(Retired r)
    {
        var t = r.Insn.Trim().ToLowerInvariant();
        if (t.StartsWith("mov ss", StringComparison.Ordinal)) return X86InstructionKind.MovSs;
        return r.Mnemonic switch
        {
            "pushf" or "pushfq" => X86InstructionKind.Pushf,
            "popf" or "popfq" => X86InstructionKind.Popf,
            "sti" => X86InstructionKind.Sti,
            "cli" => X86InstructionKind.Cli,
            "syscall" => X86InstructionKind.Syscall,
            "sysret" or "sysretq" => X86InstructionKind.Sysret,
            "iret" or "iretq" => X86InstructionKind.Iret,
            "int3" => X86InstructionKind.Int3,
            "icebp" or "int1" => X86InstructionKind.Icebp,
            _ => null,
        };
    }

    private readonly X86SyncedRegs synced = new();

    public void Apply(TraceEvent e)
    {
        if (synced.At(e) is { } s) e = s;
        switch (e)
        {
            case X86SetGuestDebug { Error: null } g:
                Host = g;
                break;
            case SetRegs w:
                Tf = Rflags.Tf(w.Rflags);
                If = Rflags.If(w.Rflags);
                break;
            case X86ExceptionTaken:
                Tf = false;
                If = false;
                Shadow = Shadow.None;
                break;
            case Retired r:
                var k = KindOf(r);
                var shadow = Shadow.None;
                switch (k)
                {
                    case X86InstructionKind.Popf or X86InstructionKind.Iret or X86InstructionKind.Sysret when r.Data is { } d:
                        Tf = Rflags.Tf(d);
                        If = Rflags.If(d);
                        break;
                    case X86InstructionKind.Sti:
                        if (!If) shadow = Shadow.Sti;
                        If = true;
                        break;
                    case X86InstructionKind.Cli:
                        If = false;
                        break;
                    case X86InstructionKind.MovSs:
                        shadow = X86Sdm.ShadowAfter(X86InstructionKind.MovSs, If, Shadow);
                        break;
                    case X86InstructionKind.Syscall:
                        Tf &= (X86Program.Fmask & Rflags.TF) == 0;
                        If &= (X86Program.Fmask & Rflags.IF) == 0;
                        break;
                }
                Shadow = shadow;
                break;
        }
    }
}
