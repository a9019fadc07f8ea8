using Kvmspec.Spec.Kvm;
using Kvmspec.Spec.Trace;
using Kvmspec.Spec.X86;

namespace Kvmspec.Spec.Invariants;

/// <summary>SHADOW: no interrupt is injected inside an STI or MOV SS shadow, and the single-step
/// trap after MOV SS is deferred one instruction.</summary>
/// <remarks>Intel SDM "Masking Exceptions and Interrupts When Switching Stacks" (MOV SS/POP SS
/// inhibit interrupts, debug exceptions and single-step traps until the next instruction completes)
/// and STI (maskable interrupts inhibited for one instruction). Paths: <c>irq</c> (an interrupt
/// delivered right after STI set IF, or after MOV SS, before another instruction retired),
/// <c>movss-step</c> (a step ended, as a KVM_EXIT_DEBUG with DR6.BS or a #DB delivered to the guest,
/// right after MOV SS, before the next instruction retired).</remarks>
public static class ShadowInvariant
{
    public const string Id = "SHADOW";

    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full(JudgeContext c) : Monitor(Id, c)
    {
        private readonly X86GuestView view = new(c.Header);
        private Retired? last;

        public override void Observe(int i, TraceEvent ev)
        {
            switch (ev)
            {
                case X86ExceptionTaken { IsInterrupt: true } x when view.Shadow != Spec.X86.Shadow.None:
                    Report("irq", i, $"{x.Name} was delivered inside the {view.Shadow} shadow of 0x{last?.Pc:X} {last?.Insn}");
                    break;
                case X86ExceptionTaken { Vector: X86Program.DbVector } when view.Shadow == Spec.X86.Shadow.MovSs:
                    Report("movss-step", i, $"a #DB was delivered right after 0x{last?.Pc:X} {last?.Insn}: the step trap was not deferred to the next instruction");
                    break;
                case Exit { Reason: KvmExitReason.KVM_EXIT_DEBUG, Payload: X86DebugPayload { IsStep: true } } x when view.Shadow == Spec.X86.Shadow.MovSs:
                    Report("movss-step", i, $"the step ended at 0x{x.Pc:X} right after 0x{last?.Pc:X} {last?.Insn}: the step trap was not deferred to the next instruction");
                    break;
            }
            if (ev is Retired r) last = r;
            view.Apply(ev);
        }
    }
}
