using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;

namespace Kvmspec.Spec.Invariants;

/// <summary>STEP-ONE on x86: a host single-step retires exactly one guest instruction (two when
/// the first is MOV SS, whose trap the architecture defers one instruction), or none only when it
/// ends at an exception handler.</summary>
/// <remarks>A step is requested by a KVM_SET_GUEST_DEBUG with SINGLESTEP (x86 KVM arms the step at
/// the RIP of that call, singlestep_rip; QEMU issues it before every step), starts at the next
/// KVM_RUN and ends at the next KVM_EXIT_DEBUG; a KVM_RUN after a debug exit without a new request
/// continues rather than steps. KVM_SET_REGS, or a KVM_RUN that copies in a dirty KVM_SYNC_X86_REGS
/// (judged as KVM_SET_REGS just before that run), cancels an armed step when it moves RIP. A step may span several runs (a KVM_EXIT_IO or MMIO and its completion). Paths:
/// <c>extra</c> (more instructions retired), <c>fmask</c> (the extra instructions followed a SYSCALL
/// that cleared TF through IA32_FMASK, so the trap flag stepping relies on was gone),
/// <c>past-vector</c> (an instruction retired after an event was delivered in the step),
/// <c>none</c> (a step exit, DR6.BS, with nothing retired and nothing delivered).</remarks>
public static class X86StepOne
{
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Window
    {
        public int Count;
        public bool Delivered, Reported, FirstMovSs, FirstSyscall;
        public ulong Handler;
    }

    private sealed class Full(JudgeContext c) : Monitor(StepOne.Id, c)
    {
        // The RIP as the trace last showed it, to tell whether KVM_SET_REGS moves it.
        private ulong? shown = c.Header.InitialPc;

        private ulong? ShownAfter(TraceEvent ev) => ev switch
        {
            Retired r => r.NextPc,
            X86ExceptionTaken x => x.Handler,
            Exit { Pc: { } pc } => pc,
            GetRegs g => g.Rip,
            SetRegs s => s.Rip,
            _ => shown,
        };

        private bool stepping, armed;
        private Window? w;

        private readonly X86SyncedRegs synced = new();

        public override void Observe(int i, TraceEvent ev)
        {
            if (synced.At(ev) is { } s)
            {
                Judge(i, s);
                shown = ShownAfter(s);
            }
            Judge(i, ev);
            shown = ShownAfter(ev);
        }

        private void Judge(int i, TraceEvent ev)
        {
            switch (ev)
            {
                case X86SetGuestDebug { Error: null } g:
                    if (g.SingleStep != stepping) w = null;
                    stepping = g.SingleStep;
                    armed = g.SingleStep;
                    break;
                case SetRegs r when r.Rip != shown:
                    // KVM arms the step at singlestep_rip: moving RIP cancels it (kvm_set_rflags adds no TF).
                    w = null;
                    armed = false;
                    break;
                case Run when stepping && (armed || w is not null):
                    w ??= new Window();
                    armed = false;
                    break;
                case Retired r when w is not null:
                    if (w.Delivered && !w.Reported)
                    {
                        w.Reported = true;
                        Report("past-vector", i, $"0x{r.Pc:X} {r.Insn} retired after the step had entered the handler at 0x{w.Handler:X}");
                    }
                    w.Count++;
                    if (w.Count == 1)
                    {
                        var k = X86GuestView.KindOf(r);
                        w.FirstMovSs = k == X86InstructionKind.MovSs;
                        w.FirstSyscall = k == X86InstructionKind.Syscall;
                    }
                    int allowed = w.FirstMovSs ? 2 : 1;
                    if (w.Count == allowed + 1 && !w.Reported)
                    {
                        w.Reported = true;
                        Report(w.FirstSyscall ? "fmask" : "extra", i,
                            w.FirstSyscall
                                ? $"0x{r.Pc:X} {r.Insn} retired in the same host step as the SYSCALL before it: IA32_FMASK cleared the TF the step relied on"
                                : $"a {(allowed == 2 ? "third" : "second")} instruction (0x{r.Pc:X} {r.Insn}, by {r.By}) retired in one host step");
                    }
                    break;
                case X86ExceptionTaken x when w is not null:
                    w.Delivered = true;
                    w.Handler = x.Handler;
                    break;
                case Exit { Reason: KvmExitReason.KVM_EXIT_DEBUG } x when w is not null:
                    if (x.Payload is X86DebugPayload { IsStep: true } && w.Count == 0 && !w.Delivered)
                        Report("none", i, $"a step was reported at pc=0x{x.Pc:X} but no instruction retired and no event was delivered");
                    w = null;
                    break;
            }
        }
    }
}
