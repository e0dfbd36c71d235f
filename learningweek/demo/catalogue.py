"""Realistic session proposals for the demo: what colleagues in a tech company teach."""

from __future__ import annotations

from dataclasses import dataclass

from learningweek.core.enums import Equipment, Level, ResourceKind, ResourceTiming, SessionFormat


@dataclass(frozen=True)
class DemoSession:
    title: str
    abstract: str
    objectives: tuple[str, ...]
    topic: str
    format: SessionFormat = SessionFormat.IN_PERSON
    duration: int = 60
    level: Level = Level.INTRODUCTORY
    max_participants: int = 20
    runs: int = 1
    equipment: tuple[Equipment, ...] = ()
    prerequisites: str = ""
    resources: tuple[tuple[str, str, ResourceKind, ResourceTiming], ...] = ()


F, L, K, T, E = SessionFormat, Level, ResourceKind, ResourceTiming, Equipment

CATALOGUE: tuple[DemoSession, ...] = (
    DemoSession(
        "Property-based testing in practice",
        "Example-based tests check the cases you thought of. **Property-based tests** find the "
        "ones you did not. We take a real parser from our codebase and let Hypothesis break it.",
        ("write a Hypothesis strategy for your own data", "read a shrunk counter-example"),
        "Software engineering",
        duration=90,
        level=L.INTERMEDIATE,
        equipment=(E.LAPTOPS, E.PROJECTOR),
        prerequisites="Python 3.11 and `pip install hypothesis` on your laptop.",
        resources=(
            ("Hypothesis documentation", "https://hypothesis.readthedocs.io", K.ARTICLE, T.BEFORE),
        ),
    ),
    DemoSession(
        "Git beyond commit and push",
        "Interactive rebase, `git bisect` and the reflog: the three tools that turn a bad "
        "afternoon into a ten-minute fix. Bring a repository you know.",
        ("clean up a branch with interactive rebase", "find a regression with git bisect"),
        "Software engineering",
        format=F.HYBRID,
        runs=2,
        equipment=(E.PROJECTOR, E.VIDEO),
        resources=(("Pro Git, chapter 7", "https://git-scm.com/book/en/v2", K.BOOK, T.AFTER),),
    ),
    DemoSession(
        "Reading a flame graph",
        "Our services spend their time somewhere. Learn to read flame graphs from py-spy and "
        "perf, and to tell CPU from waiting.",
        ("record a flame graph of a running service", "spot the hot path in a flame graph"),
        "Software engineering",
        level=L.ADVANCED,
        format=F.ONLINE,
        max_participants=80,
    ),
    DemoSession(
        "Code review that people thank you for",
        "How to give review comments that are kind, specific and fast, and how to receive them. "
        "We practise on real (anonymised) pull requests.",
        ("phrase a review comment as a question", "split a large change for review"),
        "Communication",
        runs=2,
        equipment=(E.WHITEBOARD,),
    ),
    DemoSession(
        "SQL window functions by example",
        "Running totals, rankings and gaps-and-islands without a single self-join.",
        ("write a running total with a window function", "rank rows within groups"),
        "Data & AI",
        level=L.INTERMEDIATE,
        format=F.ONLINE,
        max_participants=60,
        resources=(
            (
                "PostgreSQL tutorial: window functions",
                "https://www.postgresql.org/docs/current/tutorial-window.html",
                K.ARTICLE,
                T.BEFORE,
            ),
        ),
    ),
    DemoSession(
        "Prompting large language models for analysts",
        "A practical session on getting reliable, checkable answers from language models: "
        "structured prompts, few-shot examples and how to verify the output.",
        ("structure a prompt with role, task and format", "check a model's answer against data"),
        "Data & AI",
        format=F.HYBRID,
        max_participants=40,
        runs=3,
        equipment=(E.PROJECTOR, E.VIDEO),
    ),
    DemoSession(
        "Introduction to pandas for spreadsheet users",
        "If you live in spreadsheets, this is your bridge to Python: load, filter, pivot and "
        "chart a real sales export.",
        ("load a CSV into a DataFrame", "build a pivot table in pandas"),
        "Data & AI",
        duration=120,
        equipment=(E.LAPTOPS, E.PROJECTOR),
        prerequisites="A laptop with Python and Jupyter; we send instructions a week before.",
    ),
    DemoSession(
        "Threat modelling a feature in 45 minutes",
        "STRIDE on a whiteboard: we model one of our own features and leave with a list of "
        "concrete mitigations.",
        ("draw a data-flow diagram with trust boundaries", "apply STRIDE to each element"),
        "Security",
        equipment=(E.WHITEBOARD,),
        resources=(
            (
                "OWASP Threat Modeling",
                "https://owasp.org/www-community/Threat_Modeling",
                K.ARTICLE,
                T.AFTER,
            ),
        ),
    ),
    DemoSession(
        "Phishing: how attackers pick you",
        "Our security team walks through real (sanitised) phishing attempts against the company "
        "and what gave them away.",
        ("recognise the five most common phishing signals",),
        "Security",
        format=F.ONLINE,
        max_participants=300,
        duration=30,
    ),
    DemoSession(
        "Secrets management for developers",
        "Where secrets leak (history, logs, CI) and how to keep them out with a vault and "
        "pre-commit hooks.",
        ("set up a pre-commit secret scanner", "rotate a leaked credential safely"),
        "Security",
        level=L.INTERMEDIATE,
        equipment=(E.LAPTOPS,),
    ),
    DemoSession(
        "Leading without authority",
        "Influence when you are not the manager: building trust, framing proposals and "
        "disagreeing well.",
        ("map the stakeholders of a decision", "frame a proposal around shared goals"),
        "Leadership",
        runs=2,
        equipment=(E.WHITEBOARD,),
    ),
    DemoSession(
        "Running a good retrospective",
        "Formats beyond 'what went well', facilitation tricks for quiet rooms, and how to make "
        "actions actually happen.",
        (
            "pick a retrospective format for your team's situation",
            "turn findings into owned actions",
        ),
        "Leadership",
        format=F.HYBRID,
        equipment=(E.WHITEBOARD, E.VIDEO),
    ),
    DemoSession(
        "First-time manager: the first 90 days",
        "A candid session by three people who made the step recently: what surprised them and "
        "what they would do again.",
        ("plan your first one-to-ones", "set expectations with your new team"),
        "Leadership",
        duration=90,
        max_participants=30,
    ),
    DemoSession(
        "Writing for busy readers",
        "Put the conclusion first, cut the hedging and use headings people can scan. We rewrite "
        "real internal emails together.",
        ("restructure a message with the conclusion first", "cut a text by a third"),
        "Communication",
        format=F.ONLINE,
        max_participants=100,
    ),
    DemoSession(
        "Presenting technical work to non-specialists",
        "Explain what you built and why it matters to someone outside your field, in five minutes.",
        ("tell the story of a project in three steps", "replace jargon with an example"),
        "Communication",
        equipment=(E.PROJECTOR, E.MICROPHONE),
    ),
    DemoSession(
        "Giving feedback with the SBI model",
        "Situation, behaviour, impact: practise feedback conversations in pairs with "
        "realistic cases.",
        ("give feedback using situation, behaviour and impact",),
        "Communication",
        runs=3,
        max_participants=16,
    ),
    DemoSession(
        "Measuring the carbon footprint of our cloud usage",
        "What our cloud bill says about emissions, and the three changes that cut ours by a "
        "quarter last year.",
        ("read a cloud carbon report", "pick the change with the biggest effect"),
        "Sustainability",
        format=F.ONLINE,
        max_participants=120,
    ),
    DemoSession(
        "Circular design for hardware products",
        "Designing for repair, reuse and recycling from the first sketch, with examples from our "
        "own radio units.",
        ("apply three circular design principles to a product",),
        "Sustainability",
        duration=90,
        equipment=(E.PROJECTOR,),
    ),
    DemoSession(
        "Mindful breaks for focused work",
        "Short, science-backed practices to recover attention during a day of meetings. No "
        "special equipment, no incense.",
        ("use a two-minute breathing break between meetings",),
        "Well-being",
        duration=30,
        runs=3,
    ),
    DemoSession(
        "Ergonomics at the home office",
        "Desk height, screen distance and light: a physiotherapist checks your set-up over video.",
        ("adjust chair, desk and screen to your body",),
        "Well-being",
        format=F.ONLINE,
        duration=30,
        max_participants=200,
    ),
    DemoSession(
        "Kubernetes from the developer's seat",
        "Pods, deployments and services explained through the one app you already ship; then "
        "debugging it when it does not start.",
        ("read a failing pod's events and logs", "roll back a deployment"),
        "Software engineering",
        level=L.INTERMEDIATE,
        duration=120,
        equipment=(E.LAPTOPS, E.PROJECTOR),
        prerequisites="kubectl installed and access to the sandbox cluster.",
    ),
    DemoSession(
        "Accessibility testing with a screen reader",
        "Switch off your screen and use our product with NVDA and VoiceOver. Humbling and very "
        "practical.",
        ("navigate a web page with a screen reader", "find three accessibility bugs in our UI"),
        "Software engineering",
        equipment=(E.LAPTOPS,),
        resources=(
            (
                "WCAG 2.2 at a glance",
                "https://www.w3.org/WAI/standards-guidelines/wcag/glance/",
                K.ARTICLE,
                T.AFTER,
            ),
        ),
    ),
    DemoSession(
        "Designing experiments: A/B tests that mean something",
        "Sample sizes, peeking and why most A/B tests are underpowered. With a calculator you can "
        "use on Monday.",
        ("compute the sample size for an A/B test", "explain why peeking inflates false positives"),
        "Data & AI",
        level=L.ADVANCED,
        format=F.HYBRID,
        equipment=(E.PROJECTOR, E.VIDEO),
    ),
    DemoSession(
        "Negotiation basics for engineers",
        "BATNA, anchoring and listening: negotiate deadlines, scope and salaries with less stress.",
        ("prepare your best alternative before a negotiation",),
        "Leadership",
        max_participants=24,
    ),
    DemoSession(
        "Domain-driven design: bounded contexts on a whiteboard",
        "We carve a messy domain (our own ordering system) into bounded contexts and name the "
        "language each one speaks.",
        ("identify bounded contexts in a domain", "write a context map"),
        "Software engineering",
        level=L.ADVANCED,
        duration=120,
        equipment=(E.WHITEBOARD,),
    ),
    DemoSession(
        "Observability: from logs to traces",
        "Structured logs, metrics and distributed traces with OpenTelemetry, on a service you can "
        "break yourself.",
        ("add a trace span to a request handler", "follow a request across three services"),
        "Software engineering",
        level=L.INTERMEDIATE,
        format=F.ONLINE,
        max_participants=80,
    ),
    DemoSession(
        "Swedish for newcomers: small talk at fika",
        "A relaxed first lesson for colleagues who moved here: greetings, coffee and weather.",
        ("hold a two-minute small talk in Swedish",),
        "Communication",
        max_participants=15,
        runs=2,
    ),
    DemoSession(
        "Data visualisation that tells the truth",
        "Axes, colour and chart choice: how charts mislead and how to make yours honest.",
        ("choose a chart type for a question", "spot a misleading axis"),
        "Data & AI",
        format=F.ONLINE,
        max_participants=150,
    ),
    DemoSession(
        "Incident command for everyone",
        "What happens in the first 15 minutes of an outage, who does what, and how to write the "
        "post-mortem afterwards.",
        ("take a role in an incident call", "write a blameless post-mortem"),
        "Leadership",
        format=F.HYBRID,
        equipment=(E.VIDEO, E.PROJECTOR),
    ),
    DemoSession(
        "Rust for Python developers",
        "Ownership, borrowing and the compiler as a pair programmer. We port one small Python "
        "function together.",
        ("explain ownership and borrowing", "port a Python function to Rust"),
        "Software engineering",
        level=L.INTERMEDIATE,
        duration=120,
        equipment=(E.LAPTOPS,),
    ),
    DemoSession(
        "Sleep and performance",
        "What the research says about sleep, shift work and learning, from our "
        "occupational health team.",
        ("name three habits that improve sleep quality",),
        "Well-being",
        format=F.ONLINE,
        duration=30,
        max_participants=300,
    ),
    DemoSession(
        "Green software patterns",
        "Energy-aware coding: batching, caching and choosing when to run work.",
        ("apply carbon-aware scheduling to a batch job",),
        "Sustainability",
        level=L.INTERMEDIATE,
    ),
    DemoSession(
        "Facilitating workshops online",
        "Breakouts, whiteboards and energy: keep a remote workshop alive for three hours.",
        ("plan a remote workshop agenda", "run a breakout exercise"),
        "Communication",
        format=F.ONLINE,
        max_participants=40,
    ),
    DemoSession(
        "API design reviews",
        "Naming, versioning and error formats: review real API proposals against our guidelines.",
        ("review an API against the company guidelines",),
        "Software engineering",
        level=L.INTERMEDIATE,
    ),
    DemoSession(
        "Machine learning model monitoring",
        "Drift, data quality and alerting for models in production.",
        ("set up a drift alert for a model",),
        "Data & AI",
        level=L.ADVANCED,
        format=F.ONLINE,
    ),
    DemoSession(
        "Public speaking: your first lightning talk",
        "Write and rehearse a five-minute talk with friendly coaching.",
        ("structure a five-minute talk",),
        "Communication",
        max_participants=12,
        equipment=(E.MICROPHONE,),
    ),
    DemoSession(
        "Zero trust networking explained",
        "What 'never trust, always verify' means for our VPN, laptops and services.",
        ("explain the zero trust model",),
        "Security",
        format=F.ONLINE,
    ),
    DemoSession(
        "Coaching conversations with GROW",
        "Goal, reality, options, will: practise coaching a colleague through a real problem.",
        ("run a coaching conversation with GROW",),
        "Leadership",
        max_participants=16,
    ),
    DemoSession(
        "Spreadsheet hygiene for finance partners",
        "Named ranges, checks and documentation so your model survives your holiday.",
        ("add consistency checks to a model",),
        "Data & AI",
        duration=60,
    ),
    DemoSession(
        "Walking meetings: how and when",
        "Why some conversations go better on foot, and how to run one well.",
        ("plan a walking one-to-one",),
        "Well-being",
        duration=30,
    ),
)
