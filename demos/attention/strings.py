"""Attention lab strings, English and Simplified Chinese (same keys in both)."""

EN = {
    "att_explain_md": r"""
**Self-attention** (Vaswani et al., 2017) lets every token build its next representation from the tokens it may see.
For the token vectors $X$ (one row per token, after LayerNorm) each head learns three projections:

$$Q = XW_Q,\quad K = XW_K,\quad V = XW_V$$

The score of query $i$ for key $j$ is a dot product, scaled so that its variance does not grow with $d_k$:

$$S_{ij} = \frac{q_i \cdot k_j}{\sqrt{d_k}}$$

A GPT predicts the next token, so a token may not look ahead: the **causal mask** sets $S_{ij} = -\infty$ for $j > i$
(the grey cells). A softmax over each row turns scores into probabilities that sum to 1:

$$A_{ij} = \frac{e^{S_{ij}}}{\sum_{j' \le i} e^{S_{ij'}}},\qquad \mathrm{head}(X) = AV$$

The heads of a layer run side by side, are concatenated and projected: $\mathrm{MultiHead}(X) = [\mathrm{head}_1; \dots; \mathrm{head}_h]\,W_O$.
**Rollout** (Abnar & Zuidema, 2020) follows information through the layers: $\tilde A_l = \tfrac12 \bar A_l + \tfrac12 I$ (the residual path), rows renormalised, $R_l = \tilde A_l R_{l-1}$.
An **induction head** (Olsson et al., 2022) completes patterns: after "… A B … A" it attends to the token after the earlier "A" and predicts "B".
""",
    "att_tab": "Attention",
    "att_intro": "Which tokens does each head of a real GPT look at? Type a text, pick a layer and head, or click "
                 "one in the model view or the census.",
    "att_text": "Text",
    "att_run": "Show attention",
    "att_layer": "Layer",
    "att_head": "Head",
    "att_query": "Query token (position)",
    "att_token_mode": "Token view shows",
    "att_mode_head": "the chosen head",
    "att_mode_mean": "the mean over heads of the layer",
    "att_head_view": "Head",
    "att_model_view": "Model view",
    "att_model_view_help": "Every layer (row) × head (column). Click a tile to open it in the Head view.",
    "att_token_view": "Token view",
    "att_aggregates": "Aggregates",
    "att_census": "Head census",
    "att_census_help": "One grid per score: a row per layer, a column per head, each cell that head's score on "
                       "this text (the induction score on 32 random tokens repeated twice). Above each grid: the "
                       "heads at least twice as strong as **uniform attention**, which spreads every row evenly "
                       "over the tokens it may see (entropy: at most half of uniform's), outlined in the grid. "
                       "Click a cell to open that head.",
    "att_arithmetic": "The arithmetic",
    "att_toy": "Worked example",
    "att_positions": "Positions",
    "att_generation": "While generating",
    "att_generate": "Generate and show",
    "att_new_tokens": "New tokens",
    "att_gen_layer": "Layer shown (−1 = mean of all layers)",
    "att_explain": "How attention is computed",
    "att_weight": "weight",
    "att_key_axis": "key (attended-to token)",
    "att_query_axis": "query (attending token)",
    "att_dim_axis": "dimension",
    "att_position": "position",
    "att_context_axis": "context token",
    "att_generated_axis": "generated token",
    "att_future": "future token (masked)",
    "att_all_layers": "mean of all layers",
    "att_toy_mask": "(future = −∞)",
    "att_head_title": "Layer {layer}, head {head}",
    "att_head_subtitle": "attention probabilities; grey = the masked future",
    "att_layer_short": "L{layer}",
    "att_head_short": "H{head}",
    "att_mean_title": "Mean over heads, layer {layer}",
    "att_rollout_title": "Rollout through layer {layer}",
    "att_aggregates_title": "Mean over heads, and attention rollout",
    "att_aggregates_subtitle": "rollout: Abnar & Zuidema, 2020",
    "att_arith_title": "softmax(QKᵀ/√dₖ + M)V, layer {layer}, head {head}",
    "att_arith_subtitle": "recomputed from the layer's weights; M = −∞ above the diagonal",
    "att_score_previous": "Previous token",
    "att_score_first": "First token (attention sink)",
    "att_score_induction": "Induction (repeated random tokens)",
    "att_score_self": "Same token",
    "att_score_entropy": "Entropy, nats (low = focused)",
    "att_census_none": "none stands out (strongest: {head}, {value})",
    "att_census_uniform": "uniform attention: {value}",
    "att_toy_title": "Self-attention by hand: \"I love AI\", d = 6, dₖ = 3",
    "att_pos_title": "Position encodings: sinusoidal (Vaswani et al., 2017) vs the model's learned ones",
    "att_pos_sin": "sinusoidal PE",
    "att_pos_learned": "learned position embeddings",
    "att_pos_sin_cos": "cosine similarity, sinusoidal",
    "att_pos_learned_cos": "cosine similarity, learned",
    "att_gen_title": "Where each generated token looked ({which})",
    "att_gen_subtitle": "mean over heads; dashed line = end of prompt",
    "att_token_caption": "Token {query} «{token}» attends to ({mode}):",
    "att_truncated": "The text was cut to its first {kept} tokens (it had {total}); the model sees at most "
                     "{context} tokens and this view shows at most {limit}.",
    "att_tokens_info": "{n} tokens. Matches the model's own attention weights: max |difference| = {diff:.1e}.",
    "att_err_empty": "Please type some text: the text is empty.",
    "att_err_one_token": "The text is one token ({token}): attention needs at least two. Type a few more words.",
    "att_err_arch": "This view needs a GPT-2-style model; '{arch}' has a different layout.",
}

ZH = {
    "att_explain_md": r"""
**自注意力**（Vaswani 等，2017）让每个词元根据它能看到的词元构建新的表示。
对词元向量 $X$（每个词元一行，已过 LayerNorm），每个头学习三个投影：

$$Q = XW_Q,\quad K = XW_K,\quad V = XW_V$$

查询 $i$ 对键 $j$ 的得分是点积，再除以 $\sqrt{d_k}$，使其方差不随维度增长：

$$S_{ij} = \frac{q_i \cdot k_j}{\sqrt{d_k}}$$

GPT 预测下一个词元，所以不能偷看后面：**因果遮蔽**令 $j > i$ 时 $S_{ij} = -\infty$（灰色格子）。对每一行做 softmax，把得分变成和为 1 的概率：

$$A_{ij} = \frac{e^{S_{ij}}}{\sum_{j' \le i} e^{S_{ij'}}},\qquad \mathrm{head}(X) = AV$$

同一层的多个头并行计算，拼接后再投影：$\mathrm{MultiHead}(X) = [\mathrm{head}_1; \dots; \mathrm{head}_h]\,W_O$。
**注意力展开**（Abnar & Zuidema，2020）追踪信息如何穿过各层：$\tilde A_l = \tfrac12 \bar A_l + \tfrac12 I$（残差通路），行归一化后 $R_l = \tilde A_l R_{l-1}$。
**归纳头**（Olsson 等，2022）负责补全模式：看到“… A B … A”时，它关注前一个“A”后面的词元，从而预测“B”。
""",
    "att_tab": "注意力",
    "att_intro": "真实 GPT 的每个注意力头在看哪些词元？输入文字，选择层和头，或在模型总览或普查中点击一个头。",
    "att_text": "文本",
    "att_run": "显示注意力",
    "att_layer": "层",
    "att_head": "头",
    "att_query": "查询词元（位置）",
    "att_token_mode": "词元视图显示",
    "att_mode_head": "所选的头",
    "att_mode_mean": "该层所有头的平均",
    "att_head_view": "单个头",
    "att_model_view": "模型总览",
    "att_model_view_help": "每一行是一层，每一列是一个头。点击小图即可在“单个头”视图中打开。",
    "att_token_view": "词元视图",
    "att_aggregates": "汇总",
    "att_census": "注意力头普查",
    "att_census_help": "每项指标一张网格：每行一层，每列一个头，格子里是该头在这段文字上的得分（归纳分数在重复两次的 "
                       "32 个随机词元上测得）。网格上方列出得分至少是**均匀注意力**两倍的头（均匀注意力把每一行平均分给"
                       "它能看到的词元；熵则是至多一半），并在网格中描边。点击格子即可打开该头。",
    "att_arithmetic": "逐步计算",
    "att_toy": "手算示例",
    "att_positions": "位置编码",
    "att_generation": "生成时的注意力",
    "att_generate": "生成并显示",
    "att_new_tokens": "新词元数",
    "att_gen_layer": "显示的层（−1 = 所有层平均）",
    "att_explain": "注意力是如何计算的",
    "att_weight": "权重",
    "att_key_axis": "键（被关注的词元）",
    "att_query_axis": "查询（发出关注的词元）",
    "att_dim_axis": "维度",
    "att_position": "位置",
    "att_context_axis": "上下文词元",
    "att_generated_axis": "生成的词元",
    "att_future": "未来词元（已遮蔽）",
    "att_all_layers": "所有层平均",
    "att_toy_mask": "（未来 = −∞）",
    "att_head_title": "第 {layer} 层第 {head} 个头",
    "att_head_subtitle": "注意力概率；灰色 = 被遮蔽的未来",
    "att_layer_short": "L{layer}",
    "att_head_short": "H{head}",
    "att_mean_title": "第 {layer} 层各头平均",
    "att_rollout_title": "到第 {layer} 层的注意力展开",
    "att_aggregates_title": "各头平均与注意力展开",
    "att_aggregates_subtitle": "注意力展开：Abnar & Zuidema, 2020",
    "att_arith_title": "第 {layer} 层第 {head} 个头的 softmax(QKᵀ/√dₖ + M)V",
    "att_arith_subtitle": "由该层权重重新计算；M 在对角线以上为 −∞",
    "att_score_previous": "前一词元",
    "att_score_first": "首词元（注意力汇聚点）",
    "att_score_induction": "归纳（重复的随机词元）",
    "att_score_self": "自身",
    "att_score_entropy": "熵，奈特（越低越集中）",
    "att_census_none": "没有突出的头（最强：{head}，{value}）",
    "att_census_uniform": "均匀注意力：{value}",
    "att_toy_title": "手算自注意力：“I love AI”，d = 6，dₖ = 3",
    "att_pos_title": "位置编码：正弦编码（Vaswani 等，2017）与模型学到的位置嵌入",
    "att_pos_sin": "正弦位置编码",
    "att_pos_learned": "学到的位置嵌入",
    "att_pos_sin_cos": "余弦相似度（正弦）",
    "att_pos_learned_cos": "余弦相似度（学到的）",
    "att_gen_title": "每个新生成的词元看向哪里（{which}）",
    "att_gen_subtitle": "各头平均；虚线 = 提示结束",
    "att_token_caption": "第 {query} 个词元「{token}」的注意力分布（{mode}）：",
    "att_truncated": "文本已截断为前 {kept} 个词元（原有 {total} 个）；模型最多看 {context} 个词元，本视图最多显示 {limit} 个。",
    "att_tokens_info": "共 {n} 个词元。与模型自身的注意力权重一致：最大绝对误差 = {diff:.1e}。",
    "att_err_empty": "请输入文字：文本为空。",
    "att_err_one_token": "文本只有一个词元（{token}）：注意力至少需要两个。请多输入几个词。",
    "att_err_arch": "此视图需要 GPT-2 结构的模型；“{arch}”的结构不同。",
}
