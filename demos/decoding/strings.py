"""Decoding lab strings, English and Simplified Chinese (same keys in both)."""

EN = {
    "dec_explain_md": r"""
At every step the model gives logits $z_v$ for each token $v$; **temperature** $T$ rescales them before the softmax:
$p_T(v) = \frac{e^{z_v/T}}{\sum_{u} e^{z_u/T}}$. $T < 1$ sharpens the distribution, $T > 1$ flattens it.

- **Greedy** takes $\arg\max_v p(v)$ at every step: deterministic, often repetitive.
- **Beam search** keeps the $B$ best partial sequences by $\sum_t \log p(x_t \mid x_{<t})$; a finished hypothesis of length $L$ is scored $\frac{\sum \log p}{L^{\,\mathrm{lp}}}$, so a length penalty $\mathrm{lp} > 0$ favours longer outputs.
- **Sampling** draws $x_t \sim p_T$ from the whole vocabulary.
- **Top-k** (Fan et al., 2018) samples only among the $k$ most likely tokens.
- **Top-p / nucleus** (Holtzman et al., 2020) samples from the smallest set $V_p$ with $\sum_{v \in V_p} p(v) \ge p$.
- **Typical** (Meister et al., 2023) keeps tokens whose information $-\log p(v)$ is closest to the entropy $H = -\sum_v p(v)\log p(v)$, until their mass reaches $p$.
- **Min-p** (Nguyen et al., 2024) keeps tokens with $p(v) \ge \text{min-p} \cdot \max_u p(u)$: a cut-off that adapts to the model's confidence.
- **Contrastive search** (Su et al., 2022) picks $\arg\max_{v \in V^{(k)}} \big[(1-\alpha)\,p(v) - \alpha \max_j \cos(h_v, h_{x_j})\big]$: likely, but unlike what was already said.
- **Repetition penalty** (Keskar et al., 2019) divides a positive logit (multiplies a negative one) of every token already in the text by the penalty.

Metrics: **distinct-n** = unique n-grams / all n-grams; **repeated 4-grams** = share of 4-grams already seen in the same sample; **perplexity** $= \exp(-\frac{1}{N}\sum \log p)$ under the unmodified model.
""",
    "dec_tab": "Decoding",
    "dec_intro": "How does a GPT choose the next token? Run several decoding strategies on the same prompt and "
                 "see what each one keeps, picks and produces.",
    "dec_prompt": "Prompt",
    "dec_prompt_info": "Leave empty to start from the model's beginning-of-text token.",
    "dec_new_tokens": "New tokens",
    "dec_samples": "Samples per sampled strategy",
    "dec_strategies": "Strategies to compare",
    "dec_preset": "Classroom presets",
    "dec_preset_info": "One click sets the strategies and their parameters.",
    "dec_preset_truncation": "Sampling vs truncation (top-k, top-p, typical, min-p)",
    "dec_preset_search": "Search: greedy, beam, contrastive",
    "dec_preset_all": "All eight strategies",
    "dec_settings": "Parameters of each strategy",
    "dec_run": "Compare strategies",
    "dec_outputs": "Outputs",
    "dec_distribution": "Next-token distribution",
    "dec_output_pick": "Output",
    "dec_step": "Step",
    "dec_beam_tree": "Beam search tree",
    "dec_metrics": "Metrics",
    "dec_sweep": "Temperature sweep",
    "dec_sweep_run": "Run the sweep",
    "dec_explain": "How the strategies work",
    "dec_kind_greedy": "greedy",
    "dec_kind_beam": "beam search",
    "dec_kind_sampling": "sampling",
    "dec_kind_top_k": "top-k",
    "dec_kind_top_p": "top-p (nucleus)",
    "dec_kind_typical": "typical",
    "dec_kind_min_p": "min-p",
    "dec_kind_contrastive": "contrastive search",
    "dec_temperature": "Temperature",
    "dec_top_k": "k (top-k)",
    "dec_top_p": "p (top-p)",
    "dec_typical_p": "p (typical)",
    "dec_min_p": "min-p",
    "dec_beams": "Beams",
    "dec_length_penalty": "Length penalty",
    "dec_no_repeat": "No-repeat n-gram size (0 = off)",
    "dec_repetition_penalty": "Repetition penalty (1 = off)",
    "dec_alpha": "Degeneration penalty α",
    "dec_contrastive_k": "Candidates k",
    "dec_kept": "kept",
    "dec_dropped": "dropped",
    "dec_chosen": "chosen",
    "dec_next_token": "next token (most likely first)",
    "dec_probability": "probability after temperature",
    "dec_beam_kept": "kept beam",
    "dec_beam_pruned": "pruned",
    "dec_beam_finished": "finished hypothesis",
    "dec_beam_rank": "candidate rank",
    "dec_rep4": "repeated 4-grams",
    "dec_share": "share",
    "dec_metrics_title": "Diversity and repetition",
    "dec_metrics_subtitle": "per strategy, over its samples",
    "dec_entropy": "entropy of the next-token distribution (nats)",
    "dec_distinct2": "distinct-2 of samples",
    "dec_sweep_title": "Temperature sweep: higher T flattens the distribution and diversifies the samples",
    "dec_col_strategy": "strategy",
    "dec_col_d1": "distinct-1",
    "dec_col_d2": "distinct-2",
    "dec_col_d3": "distinct-3",
    "dec_col_rep4": "repeated 4-grams",
    "dec_col_logprob": "mean log p / token",
    "dec_col_ppl": "perplexity",
    "dec_col_len": "mean length",
    "dec_col_hypothesis": "finished hypothesis",
    "dec_col_sum": "Σ log p",
    "dec_col_length": "length",
    "dec_col_score": "score = Σ log p / length^lp",
    "dec_col_rank_sum": "rank by Σ log p alone",
    "dec_beam_none": "One column per step, the best candidate on top. Blue: the beams carried on, joined to the beam "
                     "they extend; faint grey: candidates pruned; stars: finished hypotheses; orange: the winner's "
                     "path. Hover a node for its Σ log p; a long output scrolls sideways. The table lists the "
                     "finished hypotheses. (Add beam search to the strategies to see its tree.)",
    "dec_token_tip": "p = {p} under the model, rank {rank}",
    "dec_progress": "{done} of {total} strategies decoded; the others appear here one by one as each is done.",
    "dec_pending_now": "decoding…",
    "dec_pending_queued": "waiting its turn…",
    "dec_colour_legend": "Colour: the token's probability under the unmodified model (red = unlikely, green = likely); hover for rank.",
    "dec_dist_subtitle": "the rule keeps {kept} tokens (mass {mass})<br>chosen «{token}»: p = {p}, rank {rank}",
    "dec_dist_title": "{output}, step {step}",
    "dec_beam_title": "Beam search (B = {beams}, lp = {lp})",
    "dec_beam_subtitle": "the winner scored {score} = Σ log p ({total}) / length ({n}) ^ length penalty ({lp})",
    "dec_beam_winner": "the winner's path",
    "dec_note_t0": "Temperature 0 means always taking the most likely token, so a sampled strategy with T = 0 runs as greedy.",
    "dec_note_bos": "The prompt was empty, so generation starts from the model's beginning-of-text token.",
    "dec_note_cut": "The prompt was cut to its last {kept} tokens so that prompt and new tokens fit the context.",
    "dec_err_none": "Choose at least one strategy to compare.",
    "dec_err_output": "Output {value} does not exist: run the comparison first, then choose one of its outputs.",
}

ZH = {
    "dec_explain_md": r"""
每一步模型对每个词元 $v$ 给出 logit $z_v$；**温度** $T$ 在 softmax 之前缩放它们：
$p_T(v) = \frac{e^{z_v/T}}{\sum_{u} e^{z_u/T}}$。$T < 1$ 让分布更尖锐，$T > 1$ 让分布更平坦。

- **贪心**每一步取 $\arg\max_v p(v)$：结果确定，但常常重复。
- **束搜索**按 $\sum_t \log p(x_t \mid x_{<t})$ 保留最好的 $B$ 个部分序列；长度为 $L$ 的完成假设得分为 $\frac{\sum \log p}{L^{\,\mathrm{lp}}}$，长度惩罚 $\mathrm{lp} > 0$ 偏向更长的输出。
- **采样**从整个词表中抽取 $x_t \sim p_T$。
- **Top-k**（Fan 等，2018）只在概率最高的 $k$ 个词元中采样。
- **Top-p / 核采样**（Holtzman 等，2020）从满足 $\sum_{v \in V_p} p(v) \ge p$ 的最小集合 $V_p$ 中采样。
- **典型采样**（Meister 等，2023）保留信息量 $-\log p(v)$ 最接近熵 $H = -\sum_v p(v)\log p(v)$ 的词元，直到概率和达到 $p$。
- **Min-p**（Nguyen 等，2024）保留 $p(v) \ge \text{min-p} \cdot \max_u p(u)$ 的词元：截断阈值随模型的把握程度而变。
- **对比搜索**（Su 等，2022）选择 $\arg\max_{v \in V^{(k)}} \big[(1-\alpha)\,p(v) - \alpha \max_j \cos(h_v, h_{x_j})\big]$：既要可能，又不要和已说过的内容相似。
- **重复惩罚**（Keskar 等，2019）把文本中已出现词元的正 logit 除以惩罚系数（负 logit 则乘以它）。

指标：**distinct-n** = 不同的 n-gram 数 / n-gram 总数；**重复 4-gram** = 同一样本中已出现过的 4-gram 比例；**困惑度** $= \exp(-\frac{1}{N}\sum \log p)$，在未修改的模型下计算。
""",
    "dec_tab": "解码",
    "dec_intro": "GPT 如何选出下一个词元？在同一个提示上运行多种解码策略，看看每种策略保留了什么、选了什么、生成了什么。",
    "dec_prompt": "提示",
    "dec_prompt_info": "留空则从模型的文本起始词元开始生成。",
    "dec_new_tokens": "新词元数",
    "dec_samples": "每种采样策略的样本数",
    "dec_strategies": "要比较的策略",
    "dec_preset": "课堂预设",
    "dec_preset_info": "一键设置策略及其参数。",
    "dec_preset_truncation": "采样与截断（top-k、top-p、典型、min-p）",
    "dec_preset_search": "搜索：贪心、束搜索、对比搜索",
    "dec_preset_all": "全部八种策略",
    "dec_settings": "各策略的参数",
    "dec_run": "比较策略",
    "dec_outputs": "输出",
    "dec_distribution": "下一个词元的分布",
    "dec_output_pick": "输出",
    "dec_step": "步",
    "dec_beam_tree": "束搜索树",
    "dec_metrics": "指标",
    "dec_sweep": "温度扫描",
    "dec_sweep_run": "运行扫描",
    "dec_explain": "各策略的原理",
    "dec_kind_greedy": "贪心",
    "dec_kind_beam": "束搜索",
    "dec_kind_sampling": "采样",
    "dec_kind_top_k": "top-k",
    "dec_kind_top_p": "top-p（核采样）",
    "dec_kind_typical": "典型采样",
    "dec_kind_min_p": "min-p",
    "dec_kind_contrastive": "对比搜索",
    "dec_temperature": "温度",
    "dec_top_k": "k（top-k）",
    "dec_top_p": "p（top-p）",
    "dec_typical_p": "p（典型采样）",
    "dec_min_p": "min-p",
    "dec_beams": "束宽",
    "dec_length_penalty": "长度惩罚",
    "dec_no_repeat": "禁止重复 n-gram 长度（0 = 关闭）",
    "dec_repetition_penalty": "重复惩罚（1 = 关闭）",
    "dec_alpha": "退化惩罚 α",
    "dec_contrastive_k": "候选数 k",
    "dec_kept": "保留",
    "dec_dropped": "舍弃",
    "dec_chosen": "被选中",
    "dec_next_token": "下一个词元（按概率从高到低）",
    "dec_probability": "温度调整后的概率",
    "dec_beam_kept": "保留的束",
    "dec_beam_pruned": "被剪枝",
    "dec_beam_finished": "完成的假设",
    "dec_beam_rank": "候选排名",
    "dec_rep4": "重复的 4-gram",
    "dec_share": "比例",
    "dec_metrics_title": "多样性与重复度",
    "dec_metrics_subtitle": "每种策略，基于其样本",
    "dec_entropy": "下一个词元分布的熵（奈特）",
    "dec_distinct2": "样本的 distinct-2",
    "dec_sweep_title": "温度扫描：温度越高，分布越平坦，样本越多样",
    "dec_col_strategy": "策略",
    "dec_col_d1": "distinct-1",
    "dec_col_d2": "distinct-2",
    "dec_col_d3": "distinct-3",
    "dec_col_rep4": "重复 4-gram",
    "dec_col_logprob": "平均每词元 log p",
    "dec_col_ppl": "困惑度",
    "dec_col_len": "平均长度",
    "dec_col_hypothesis": "完成的假设",
    "dec_col_sum": "Σ log p",
    "dec_col_length": "长度",
    "dec_col_score": "得分 = Σ log p / 长度^lp",
    "dec_col_rank_sum": "仅按 Σ log p 的排名",
    "dec_beam_none": "每一列是一步，最好的候选在最上面。蓝色：保留下来的束，与它所延伸的束相连；浅灰：被剪枝的候选；"
                     "星号：完成的假设；橙色：胜出者的路径。悬停在节点上可看 Σ log p；输出较长时可左右滚动。"
                     "表格列出完成的假设。（在策略中加入束搜索即可查看它的搜索树。）",
    "dec_token_tip": "模型给出的概率 p = {p}，排名 {rank}",
    "dec_progress": "已解码 {done}/{total} 种策略；其余的每完成一种就在这里显示。",
    "dec_pending_now": "解码中…",
    "dec_pending_queued": "排队等待…",
    "dec_colour_legend": "颜色：该词元在未修改模型下的概率（红 = 不太可能，绿 = 很可能）；悬停可看排名。",
    "dec_dist_subtitle": "规则保留 {kept} 个词元（概率和 {mass}）<br>选中「{token}」：p = {p}，排名 {rank}",
    "dec_dist_title": "{output}，第 {step} 步",
    "dec_beam_title": "束搜索（B = {beams}，lp = {lp}）",
    "dec_beam_subtitle": "胜出者得分 {score} = Σ log p（{total}）/ 长度（{n}）^ 长度惩罚（{lp}）",
    "dec_beam_winner": "胜出者的路径",
    "dec_note_t0": "温度为 0 意味着总是选概率最高的词元，所以 T = 0 的采样策略按贪心解码运行。",
    "dec_note_bos": "提示为空，因此从模型的文本起始词元开始生成。",
    "dec_note_cut": "提示被截为最后 {kept} 个词元，使提示和新词元能放进上下文。",
    "dec_err_none": "请至少选择一种策略进行比较。",
    "dec_err_output": "输出 {value} 不存在：请先运行比较，再从其输出中选择。",
}
