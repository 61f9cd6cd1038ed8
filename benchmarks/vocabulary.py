"""The fixed vocabulary the synthetic corpus is drawn from.

Everything here is a tuple (never a set or a dict iterated for choices), so the corpus depends
only on the seed, never on hash or insertion order.
"""

from __future__ import annotations

# (arXiv id, listing-page code, weight): the skew of an optimisation/learning-theory digest.
CATEGORIES: tuple[tuple[str, str, int], ...] = (
    ("cs.LG", "LG", 40), ("math.OC", "OC", 16), ("stat.ML", "ML", 12), ("cs.CV", "CV", 7),
    ("cs.CL", "CL", 7), ("cs.AI", "AI", 6), ("math.ST", "ST", 6), ("math.NA", "NA", 4),
    ("quant-ph", "QUANT-PH", 2),
)

# (slug, display name, keywords, home category). The first keyword is the phrase abstracts use,
# so the ingest's own topic rules find the topic again in a dump.
TOPICS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("convex-optimization", "Convex optimization", ("convex optimization", "strongly convex"), "math.OC"),
    ("nonconvex-optimization", "Nonconvex optimization", ("nonconvex optimization", "stationary point"), "math.OC"),
    ("stochastic-optimization", "Stochastic optimization", ("stochastic gradient descent", "SGD"), "math.OC"),
    ("variance-reduction", "Variance reduction", ("variance reduction", "SVRG"), "math.OC"),
    ("bilevel-optimization", "Bilevel optimization", ("bilevel optimization", "hypergradient"), "math.OC"),
    ("min-max-optimization", "Min-max optimization", ("min-max optimization", "saddle point"), "math.OC"),
    ("variational-inequalities", "Variational inequalities", ("variational inequality", "monotone operator"), "math.OC"),
    ("distributed-optimization", "Distributed optimization", ("decentralized optimization", "gossip"), "math.OC"),
    ("federated-learning", "Federated learning", ("federated learning", "client drift"), "cs.LG"),
    ("accelerated-methods", "Accelerated methods", ("Nesterov acceleration", "momentum"), "math.OC"),
    ("second-order-methods", "Second-order methods", ("Newton method", "Hessian"), "math.OC"),
    ("zeroth-order-optimization", "Zeroth-order optimization", ("zeroth-order optimization", "derivative-free"), "math.OC"),
    ("proximal-methods", "Proximal and splitting methods", ("proximal gradient", "ADMM"), "math.OC"),
    ("optimizers-for-deep-learning", "Optimizers for deep learning", ("adaptive optimizer", "Adam"), "cs.LG"),
    ("learning-rate-schedules", "Learning-rate schedules", ("learning rate schedule", "warmup"), "cs.LG"),
    ("diffusion-models", "Diffusion models", ("diffusion model", "score matching"), "cs.LG"),
    ("generative-models", "Generative models", ("generative model", "normalizing flow"), "cs.LG"),
    ("large-language-models", "Large language models", ("large language model", "LLM"), "cs.CL"),
    ("in-context-learning", "In-context learning", ("in-context learning", "transformer"), "cs.LG"),
    ("reasoning", "Reasoning", ("chain-of-thought reasoning", "test-time compute"), "cs.CL"),
    ("alignment", "Alignment and preference learning", ("preference optimization", "RLHF"), "cs.CL"),
    ("reinforcement-learning", "Reinforcement learning", ("reinforcement learning", "policy gradient"), "cs.LG"),
    ("bandits", "Bandits", ("multi-armed bandit", "regret"), "stat.ML"),
    ("online-learning", "Online learning", ("online learning", "online convex optimization"), "cs.LG"),
    ("sampling-mcmc", "Sampling and MCMC", ("Langevin dynamics", "Markov chain Monte Carlo"), "stat.ML"),
    ("variational-inference", "Variational inference", ("variational inference", "evidence lower bound"), "stat.ML"),
    ("learning-theory", "Learning theory", ("generalization bound", "sample complexity"), "stat.ML"),
    ("implicit-bias", "Implicit bias", ("implicit bias", "implicit regularization"), "cs.LG"),
    ("neural-tangent-kernel", "Neural tangent kernel", ("neural tangent kernel", "lazy training"), "cs.LG"),
    ("overparameterization", "Overparameterization", ("overparameterized", "double descent"), "stat.ML"),
    ("training-dynamics", "Training dynamics", ("training dynamics", "edge of stability"), "cs.LG"),
    ("high-dimensional-statistics", "High-dimensional statistics", ("high-dimensional regression", "lasso"), "math.ST"),
    ("robust-statistics", "Robust statistics", ("robust estimation", "heavy-tailed noise"), "math.ST"),
    ("nonparametric-statistics", "Nonparametric statistics", ("nonparametric estimation", "minimax rate"), "math.ST"),
    ("causal-inference", "Causal inference", ("causal inference", "treatment effect"), "stat.ML"),
    ("conformal-prediction", "Conformal prediction", ("conformal prediction", "coverage guarantee"), "stat.ML"),
    ("differential-privacy", "Differential privacy", ("differential privacy", "privacy budget"), "cs.LG"),
    ("optimal-transport", "Optimal transport", ("optimal transport", "Wasserstein distance"), "stat.ML"),
    ("kernel-methods", "Kernel methods", ("kernel ridge regression", "RKHS"), "stat.ML"),
    ("gaussian-processes", "Gaussian processes", ("Gaussian process", "Bayesian optimization"), "stat.ML"),
    ("matrix-factorization", "Low-rank matrix recovery", ("matrix sensing", "low-rank matrix completion"), "math.OC"),
    ("compressed-sensing", "Compressed sensing", ("compressed sensing", "sparse recovery"), "math.ST"),
    ("graph-neural-networks", "Graph neural networks", ("graph neural network", "message passing"), "cs.LG"),
    ("computer-vision", "Computer vision", ("image classification", "object detection"), "cs.CV"),
    ("vision-language-models", "Vision-language models", ("vision-language model", "multimodal"), "cs.CV"),
    ("model-compression", "Model compression", ("pruning", "quantization"), "cs.LG"),
    ("parameter-efficient-fine-tuning", "Parameter-efficient fine-tuning", ("low-rank adaptation", "LoRA"), "cs.CL"),
    ("continual-learning", "Continual learning", ("continual learning", "catastrophic forgetting"), "cs.LG"),
    ("meta-learning", "Meta-learning", ("meta-learning", "few-shot learning"), "cs.LG"),
    ("distribution-shift", "Distribution shift", ("distribution shift", "domain adaptation"), "cs.LG"),
    ("adversarial-robustness", "Adversarial robustness", ("adversarial robustness", "adversarial examples"), "cs.LG"),
    ("interpretability", "Interpretability", ("mechanistic interpretability", "saliency"), "cs.AI"),
    ("neural-pdes", "Neural PDE solvers", ("neural operator", "partial differential equation"), "math.NA"),
    ("numerical-linear-algebra", "Numerical linear algebra", ("linear systems", "Krylov subspace"), "math.NA"),
    ("optimal-control", "Optimal control", ("optimal control", "model predictive control"), "math.OC"),
    ("game-theory", "Games and equilibria", ("Nash equilibrium", "extragradient"), "cs.AI"),
    ("multi-agent-learning", "Multi-agent learning", ("multi-agent", "cooperative agents"), "cs.AI"),
    ("quantum-computing", "Quantum computing", ("quantum circuit", "variational quantum algorithm"), "quant-ph"),
    ("time-series", "Time series", ("time series forecasting", "state-space model"), "cs.LG"),
    ("uncertainty-quantification", "Uncertainty quantification", ("uncertainty quantification", "calibration"), "stat.ML"),
)

FIRST_NAMES: tuple[str, ...] = (
    "Aaron", "Aditya", "Akshay", "Alexandre", "Alice", "Amir", "Ana", "Andrea", "Anima", "Arash", "Ayush",
    "Bin", "Boris", "Bo", "Carlos", "Cheng", "Chiara", "Chris", "Cong", "Daniel", "David", "Dmitry",
    "Elena", "Emmanuel", "Eric", "Fabian", "Fang", "Fatemeh", "Francis", "Gauthier", "Gergely", "Guanghui",
    "Hadrien", "Haihao", "Hamed", "Hanyu", "Hao", "Hongyang", "Huan", "Ilya", "Ioannis", "Jason", "Javier",
    "Jianqing", "Jingzhao", "Jiawei", "José", "Julien", "Kai", "Kaiyi", "Katya", "Kwangjun", "Lan", "Laura",
    "Lei", "Lénaïc", "Lihua", "Lin", "Lorenzo", "Luca", "Łukasz", "Marco", "Maria", "Mathieu", "Mehrdad",
    "Meng", "Michael", "Mihaela", "Ming", "Mingyi", "Mohammad", "Nadav", "Naman", "Nathan", "Nicolas",
    "Niao", "Nikita", "Olivier", "Omar", "Pablo", "Panayotis", "Peter", "Pierre", "Priya", "Qi", "Quanquan",
    "Rahul", "Rebecca", "Ruoyu", "Sasha", "Sébastien", "Sergey", "Shai", "Simon", "Sinho", "Sofia",
    "Songtao", "Stephen", "Suvrit", "Tengyu", "Tianbao", "Tong", "Ulrich", "Valentin", "Vatsal", "Wei",
    "Weijie", "Wotao", "Xiao", "Xiaoyu", "Yair", "Yang", "Yi", "Yihong", "Yin Tat", "Yuejie", "Yurii",
    "Zaid", "Zeyuan", "Zhaoran", "Zhouchen", "Zhuoran", "Zoé",
)

LAST_NAMES: tuple[str, ...] = (
    "Abbe", "Agarwal", "Ahn", "Alistarh", "Allen-Zhu", "Anandkumar", "Arora", "Bach", "Beck", "Bengio",
    "Bubeck", "Candès", "Carmon", "Chen", "Chewi", "Chizat", "Cutkosky", "d'Aspremont", "Daskalakis",
    "Defazio", "Diakonikolas", "Drusvyatskiy", "Duchi", "Fan", "Fang", "Flammarion", "Ge", "Gidel",
    "Gorbunov", "Gower", "Gu", "Guo", "Hazan", "He", "Hong", "Hsieh", "Hu", "Huang", "Jain", "Ji", "Jin",
    "Jordan", "Kakade", "Kale", "Karimireddy", "Kim", "Koloskova", "Kovalev", "Kumar", "Lan", "Lee", "Li",
    "Liang", "Lin", "Liu", "Loizou", "Lu", "Luo", "Ma", "Malitsky", "Mania", "Mertikopoulos", "Mishchenko",
    "Mokhtari", "Montanari", "Müller", "Nesterov", "Netrapalli", "Nguyen", "Orabona", "Ozdaglar", "Pedregosa",
    "Peng", "Pillutla", "Qu", "Rakhlin", "Recht", "Richtárik", "Rosasco", "Ryu", "Safran", "Scieur",
    "Shamir", "Sidford", "Song", "Soudry", "Sra", "Srebro", "Stich", "Su", "Sun", "Suzuki", "Tan", "Tang",
    "Taylor", "Tian", "Tibshirani", "Vaswani", "Wainwright", "Wang", "Ward", "Wen", "Wright", "Wu", "Xiao",
    "Xie", "Xu", "Yang", "Ye", "Yin", "Yuan", "Yurtsever", "Zhang", "Zhao", "Zheng", "Zhou", "Zhu", "Zou",
    "Øksendal", "Ślusarczyk", "Lau", "Long", "Dong", "Abedsoltan", "Yan", "Ran", "Kong", "Wei",
)

AFFILIATIONS: tuple[str, ...] = (
    "princeton", "pku", "bytedance", "mit", "stanford", "cmu", "berkeley", "tsinghua", "epfl", "ethz",
    "inria", "google", "meta", "microsoft", "nvidia", "oxford", "cambridge", "kaust", "nyu", "ucla",
    "uw", "gatech", "umich", "utaustin", "upenn", "harvard", "columbia", "cornell", "toronto", "mila",
)

# (handle, display name) of a submitting organisation, as the daily list prints it.
ORGANIZATIONS: tuple[tuple[str, str], ...] = (
    ("univie", "University of Vienna"), ("sage-lab", "sage-lab"), ("google", "Google"),
    ("facebook", "AI at Meta"), ("nvidia", "NVIDIA"), ("microsoft", "Microsoft"), ("allenai", "Ai2"),
    ("deepmind", "Google DeepMind"), ("epfl-ml", "EPFL Machine Learning"), ("mila-quebec", "Mila"),
    ("tsinghua-ml", "Tsinghua ML Group"), ("ibm-research", "IBM Research"),
)

ADJECTIVES: tuple[str, ...] = (
    "Adaptive", "Accelerated", "Provably Efficient", "Near-Optimal", "Scalable", "Robust", "Stochastic",
    "Decentralized", "Communication-Efficient", "Memory-Efficient", "Sharp", "Tight", "Unified", "Implicit",
    "Randomized", "Sparse", "Low-Rank", "Parameter-Free", "Variance-Reduced", "Second-Order", "Gradient-Free",
    "Differentially Private", "Heavy-Tailed", "Nonsmooth", "Structured", "Preconditioned", "Asynchronous",
    "Optimistic", "Lazy", "Universal", "Simple", "Fast", "Faster", "Sample-Efficient", "Dimension-Free",
    "Uniform", "Local", "Global", "Improved", "Optimal",
)

METHODS: tuple[str, ...] = (
    "Gradient Descent", "Stochastic Gradient Descent", "Mirror Descent", "Extragradient Methods",
    "Proximal Point Methods", "Frank-Wolfe", "Coordinate Descent", "Newton Methods", "Quasi-Newton Methods",
    "Cubic Regularization", "Trust-Region Methods", "Adam", "Shampoo", "Muon", "Sign Descent", "Normalized SGD",
    "Clipped SGD", "Momentum Methods", "Policy Gradient", "Actor-Critic", "Q-Learning", "Langevin Dynamics",
    "Hamiltonian Monte Carlo", "Diffusion Samplers", "Score-Based Models", "Flow Matching", "Transformers",
    "Linear Attention", "State-Space Models", "Graph Neural Networks", "Neural Operators", "Kernel Methods",
    "Random Features", "Gaussian Processes", "Spectral Methods", "Sketching", "Low-Rank Adaptation",
    "Mixture of Experts", "Local SGD", "Gossip Algorithms", "ADMM", "Primal-Dual Methods",
    "Alternating Minimization", "Conjugate Gradients", "Krylov Methods", "Bundle Methods",
    "Subgradient Methods", "Bregman Methods", "Anderson Acceleration", "Line Search", "Forward-Backward Splitting",
    "Dual Averaging", "Polyak Averaging", "Heavy-Ball Methods", "Gradient Flows", "Evolution Strategies",
    "Boosting", "Random Search", "Stein Variational Methods", "Residual Networks", "Sparse Autoencoders",
    "Sinkhorn Iterations", "Natural Gradient", "Successive Convex Approximation",
)

PROBLEMS: tuple[str, ...] = (
    "Composite Optimization", "Finite-Sum Minimization", "Saddle-Point Problems", "Bilevel Programs",
    "Variational Inequalities", "Matrix Sensing", "Phase Retrieval", "Sparse Regression", "Logistic Regression",
    "Linear Bandits", "Markov Decision Processes", "Constrained Optimization", "Nonconvex Learning",
    "Federated Learning", "Distributed Training", "Language Model Pre-training", "Fine-tuning",
    "Reward Modeling", "In-Context Regression", "Density Estimation", "Optimal Transport",
    "Inverse Problems", "PDE-Constrained Optimization", "Linear Systems", "Eigenvalue Problems",
    "Tensor Decomposition", "Causal Discovery", "Conformal Inference", "Private Learning",
    "Covariate Shift", "Adversarial Training", "Continual Learning", "Quantum State Tomography",
    "Image Restoration", "Neural Network Training", "Empirical Risk Minimization", "Robust Regression",
    "Online Convex Optimization", "Zero-Sum Games", "Minimax Estimation",
)

PROPERTIES: tuple[str, ...] = (
    "Convergence", "Complexity", "Stability", "Generalization", "Implicit Bias", "Sample Complexity",
    "Robustness", "Lower Bounds", "Benign Overfitting", "Global Optimality", "Last-Iterate Convergence",
    "Escaping Saddle Points", "Scaling Laws", "Expressivity", "Identifiability", "Consistency",
    "Oracle Complexity", "Communication Complexity", "Feature Learning", "Loss Landscape",
)

SETTINGS: tuple[str, ...] = (
    "High Dimensions", "the Overparameterized Regime", "Heavy-Tailed Noise", "Non-Euclidean Geometry",
    "the Presence of Outliers", "Decentralized Networks", "Continuous Time", "the Mean-Field Limit",
    "Infinite Width", "Low-Precision Arithmetic", "Wasserstein Space", "Riemannian Manifolds",
    "the Interpolation Regime", "Partially Observed Environments", "Non-Stationary Environments",
)

FEATURES: tuple[str, ...] = (
    "Momentum", "Variance Reduction", "Random Reshuffling", "Gradient Clipping", "Error Feedback",
    "Compression", "Preconditioning", "Warm Starts", "Restarts", "Inexact Oracles", "Delayed Gradients",
    "Importance Sampling", "Data Augmentation", "Weight Decay", "Batch Normalization",
)

VERBS: tuple[str, ...] = (
    "Converge", "Generalize", "Fail", "Help", "Scale", "Learn Features", "Escape Saddle Points",
    "Match Adam", "Beat Gradient Descent", "Overfit Benignly",
)

SYLLABLES: tuple[str, ...] = (
    "Ada", "Grad", "Polar", "Sketch", "Flow", "Prox", "Nest", "Lion", "Sharp", "Zero", "Fed", "Lo", "Ra",
    "Spi", "Der", "Sto", "Mo", "Mem", "Bi", "Lev", "Opt", "Hyper", "Soap", "Fru", "Gal", "Kron", "Lamb",
    "Nova", "Tri", "Quad", "Hess", "Cube", "Mirror", "Dual", "Spec", "Norm", "Clip", "Shift", "Tune",
)

# Broad fields a single-topic abstract relates its topic to (none is a topic keyword).
FIELDS: tuple[str, ...] = (
    "machine learning", "optimization", "statistics", "signal processing", "scientific computing",
    "deep learning", "operations research", "data science",
)

DATASETS: tuple[str, ...] = (
    "CIFAR-10", "ImageNet", "MNIST", "WikiText-103", "GSM8K", "MATH", "the LIBSVM suite", "CUTEst",
    "OpenWebText", "C4", "MuJoCo benchmarks", "Atari games", "synthetic data",
)

# Inline LaTeX as real abstracts write it (including `<` and `_`, which HTML and Markdown care
# about), in three kinds so the sentences read sensibly.
MATH_RATES: tuple[str, ...] = (
    r"$O(1/\sqrt{T})$", r"$\mathcal{O}(\epsilon^{-2})$", r"$\tilde{O}(\kappa \log(1/\epsilon))$", r"$O(d/\epsilon^2)$",
    r"$\Omega(\sqrt{dT})$", r"$O(\log n)$", r"$\Theta(n^{-1/2})$", r"\(O(\epsilon^{-3/2})\)", r"$T^{2/3}$",
    r"$\tilde{\Theta}(\sqrt{T})$", r"$O(\kappa^{1/2} \log(1/\epsilon))$", r"$\mathcal{O}(n^{-2/(2+d)})$",
)
MATH_CONDITIONS: tuple[str, ...] = (
    r"$\mu$-PL", r"$L$-smooth", r"$k$-sparse", r"$\alpha \in (0,1)$", r"$p \geq 2$",
    r"$0 < \eta < 1/L$", r"$\kappa = L/\mu$", r"$\sigma^2$-sub-Gaussian", r"$\rho$-weakly convex",
    r"$(L_0, L_1)$-smooth", r"$\delta$-approximate",
)
MATH_EXPRESSIONS: tuple[str, ...] = (
    r"$\ell_2$", r"$\ell_1$", r"$\mathbb{R}^{d}$", r"$\|x_k - x^\star\|^2$", r"$\nabla f(x)$",
    r"$f(x) = \frac{1}{n}\sum_{i=1}^{n} f_i(x)$", r"$\mathrm{KL}(p \| q)$", r"$W_2$", r"$D^{T}$",
    r"$n \times n$", r"$1-\delta$",
)
MATH: tuple[str, ...] = MATH_RATES + MATH_CONDITIONS + MATH_EXPRESSIONS

# Sentence templates. Slots: {topic} {topic2} (topic phrases), {method} {problem} {property}
# {setting} {feature} {dataset} {a_adj} (lowercase forms, an adjective with its article), and
# {rate} {rate2} {condition} {expression} (only in MATH_SENTENCES).
OPENING_SENTENCES: tuple[str, ...] = (
    "We study {topic} for {problem}, a setting that arises in many applications of {topic2}.",
    "Recent works have empirically analyzed {topic} and shown that {method} can solve {problem}, but the theory behind these observations remains poorly understood.",
    "{Method} is a workhorse of modern {topic}, yet its {property} for {problem} is not well understood.",
    "The ever-growing scale of {topic2} underscores the importance of efficient methods for {problem}.",
    "This paper considers {topic} in {setting}, where classical analyses of {method} break down.",
    "Understanding the {property} of {method} is a central question in {topic}.",
)

BODY_SENTENCES: tuple[str, ...] = (
    "We propose {a_adj} variant of {method} that combines {feature} with {topic2}.",
    "Our analysis shows that {method} with {feature} achieves the best known {property} for {problem}.",
    "In contrast to prior work, our guarantees hold in {setting} and do not require bounded gradients.",
    "We further extend the framework to {problem}, where the interplay between {feature} and {topic} is more delicate.",
    "As a by-product, we obtain {a_adj} algorithm for {topic2} whose {property} matches known lower bounds up to logarithmic factors.",
    "The key ingredient is a new potential function that tracks the {property} of the iterates [Smith et al., 2023].",
    "We complement the upper bounds with matching lower bounds, showing that {feature} is necessary in {setting}.",
    "Experiments on {dataset} confirm that the method is competitive with {method} while using less memory.",
    "Numerical results on {dataset} and on {problem} illustrate the theory.",
    "We also show that the same analysis applies to {method}, which explains its empirical success in {topic2}.",
    "These results suggest that {topic} and {topic2} are more closely related than previously thought.",
)

MATH_SENTENCES: tuple[str, ...] = (
    "We prove that {method} converges at the rate {rate} under standard assumptions.",
    "When the objective is {condition}, the method finds a solution after {rate} iterations.",
    "Our bound improves the previous {rate} dependence to {rate2} and is tight for {problem}.",
    "For {condition} losses, we establish an error rate of {rate}, which is optimal in {setting}.",
    "The analysis relies on a careful control of {expression} along the trajectory of {method}.",
    "We measure the error in {expression} and show that it decays as {rate}.",
)

CLOSING_SENTENCES: tuple[str, ...] = (
    "Our results reveal that {topic} benefits from {feature} more than previously believed.",
    "Taken together, these findings pave the way for a deeper understanding of {topic}.",
    "We hope our work stimulates further research on {problem} in {setting}.",
    "Overall, the proposed approach provides {a_adj} and practical tool for {topic2}.",
)
