//! The interface's words in English and French. Lesson text comes from the lesson packs.

use leptos::prelude::*;

/// A language of the interface and of the lesson packs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Fr,
}

impl Locale {
    /// The folder of the lesson packs and the `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
        }
    }

    /// Reads a saved code; anything else is `None`.
    pub fn from_code(code: &str) -> Option<Locale> {
        match code {
            "en" => Some(Locale::En),
            "fr" => Some(Locale::Fr),
            _ => None,
        }
    }
}

/// The interface language, shared through context.
#[derive(Clone, Copy)]
pub struct CurrentLocale(pub RwSignal<Locale>);

/// A reactive translation of `key` in the current language.
pub fn tr(key: &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let locale = expect_context::<CurrentLocale>().0;
    move || translate(locale.get(), key)
}

/// The text of `key` in `locale`; the key itself if it has no translation.
pub fn translate(locale: Locale, key: &'static str) -> &'static str {
    let (en, fr) = match key {
        "nav.catalog" => ("Lessons", "Leçons"),
        "nav.sandbox" => ("Sandbox", "Bac à sable"),
        "theme.toggle" => ("Switch light and dark theme", "Basculer thème clair ou sombre"),
        "progress.menu" => ("Progress", "Progression"),
        "progress.export" => ("Export progress", "Exporter la progression"),
        "progress.import" => ("Import progress", "Importer la progression"),
        "progress.imported" => ("Progress imported.", "Progression importée."),
        "progress.import_failed" => ("This file was not imported:", "Ce fichier n'a pas été importé :"),
        "progress.quarantined" => (
            "Your saved progress could not be read, so it was kept aside and not used:",
            "Votre progression enregistrée n'a pas pu être lue ; elle a été mise de côté :",
        ),
        "progress.download_kept" => ("Download the kept copy", "Télécharger la copie conservée"),
        "progress.not_kept" => (
            "Your saved progress could not be read, and there was no room to keep a copy aside. Download it: nothing is saved until you do.",
            "Votre progression enregistrée n'a pas pu être lue, et la place manque pour en garder une copie. Téléchargez-la : rien n'est enregistré avant.",
        ),
        "progress.download_and_resume" => ("Download it and resume saving", "La télécharger et reprendre l'enregistrement"),
        "progress.save_failed" => (
            "Your progress could not be saved in this browser. Export it to keep it:",
            "Votre progression n'a pas pu être enregistrée dans ce navigateur. Exportez-la pour la garder :",
        ),
        "stage.panels" => ("Stage panels", "Panneaux de la scène"),
        "stage.text" => ("Lesson", "Leçon"),
        "stage.back" => ("Previous step (←)", "Étape précédente (←)"),
        "stage.next" => ("Next step (→)", "Étape suivante (→)"),
        "stage.speaker" => ("Open the speaker window (S)", "Ouvrir la fenêtre de l'orateur (S)"),
        "stage.speaker_short" => ("Speaker", "Orateur"),
        "stage.leave" => ("Leave presenter mode (P or Esc)", "Quitter le mode présentation (P ou Échap)"),
        "stage.leave_short" => ("Exit", "Quitter"),
        "stage.enter" => ("Present (P)", "Présenter (P)"),
        "speaker.waiting" => ("Waiting for the stage", "En attente de la scène"),
        "speaker.how" => (
            "Open a lesson in presenter mode in this browser (add ?present to its address, or press P), then press S there.",
            "Ouvrez une leçon en mode présentation dans ce navigateur (ajoutez ?present à son adresse, ou appuyez sur P), puis appuyez sur S.",
        ),
        "speaker.now" => ("Now", "Maintenant"),
        "speaker.keys" => (
            "Keys here and on the stage: → or PageDown the next step, ← or PageUp the previous one, Space the clock. On the stage: 1 to 9 and 0 choose the panel, S opens this window, P or Esc leaves.",
            "Touches ici et sur la scène : → ou PageDown l'étape suivante, ← ou PageUp la précédente, Espace l'horloge. Sur la scène : 1 à 9 et 0 choisissent le panneau, S ouvre cette fenêtre, P ou Échap en sort.",
        ),
        "clock.keys_present" => ("present", "présenter"),
        "speaker.next" => ("Next", "Ensuite"),
        "speaker.before" => ("Before the first step.", "Avant la première étape."),
        "speaker.end" => ("The end of the demo.", "La fin de la démo."),
        "catalog.loading_pack" => ("Loading the pack…", "Chargement du pack…"),
        "catalog.pack_failed" => ("This pack could not be opened", "Ce pack n'a pas pu être ouvert"),
        "catalog.pack_from" => ("Opened from", "Ouvert depuis"),
        "catalog.open_folder" => ("Open a pack folder", "Ouvrir un dossier de pack"),
        "catalog.close_folder" => ("Close this folder", "Fermer ce dossier"),
        "share.button" => ("Share", "Partager"),
        "share.title" => (
            "A link to this session: the same world, clock, files and alerts for whoever opens it",
            "Un lien vers cette session : le même monde, la même horloge, les mêmes fichiers et alertes pour qui l'ouvre",
        ),
        "share.copied" => ("Link copied to the clipboard", "Lien copié dans le presse-papiers"),
        "share.copy_yourself" => ("Select the link and copy it", "Sélectionnez le lien et copiez-le"),
        "share.characters" => ("characters", "caractères"),
        "share.failed" => ("The link could not be made:", "Le lien n'a pas pu être créé :"),
        "share.close" => ("Close", "Fermer"),
        "share.bad_link" => (
            "This share link could not be opened; nothing saved was changed:",
            "Ce lien de partage n'a pas pu être ouvert ; rien d'enregistré n'a été modifié :",
        ),
        "share.banner" => (
            "A shared session: what you do here is not saved, and your own progress is untouched.",
            "Une session partagée : ce que vous faites ici n'est pas enregistré, et votre propre progression reste intacte.",
        ),
        "share.keep" => ("Keep it as my progress", "En faire ma progression"),
        "share.back" => ("Back to my progress", "Revenir à ma progression"),
        "share.leave" => ("Leave the shared session", "Quitter la session partagée"),
        "progress.checkpoint_failed" => (
            "Your progress is saved, but a quick-reload copy of this lesson could not be kept, so reloading it replays it from the start:",
            "Votre progression est enregistrée, mais la copie de rechargement rapide de cette leçon n'a pas pu être conservée : la recharger la rejouera depuis le début :",
        ),
        "progress.import_confirm" => (
            "Replace your progress with this file? Your current progress is kept as a backup you can download.",
            "Remplacer votre progression par ce fichier ? La progression actuelle est gardée en sauvegarde téléchargeable.",
        ),
        "progress.import_cancelled" => ("Import cancelled: your progress is unchanged.", "Import annulé : votre progression est inchangée."),
        "progress.download_backup" => ("Download the previous progress", "Télécharger la progression précédente"),
        "progress.refused_lessons" => ("Some lessons of this file were not imported:", "Certaines leçons de ce fichier n'ont pas été importées :"),
        "progress.other_tab" => (
            "This lesson is also open in another tab. Each tab saves its own work on it; the tab you use last is the one kept:",
            "Cette leçon est aussi ouverte dans un autre onglet. Chaque onglet enregistre son travail ; le dernier utilisé l'emporte :",
        ),
        "notice.dismiss" => ("Dismiss", "Fermer"),
        "catalog.title" => ("Learn to run production by running it", "Apprenez la prod en la faisant tourner"),
        "catalog.lead" => (
            "A simulated platform in your browser: PHP services on Kubernetes, a database, dashboards, alerts, Terraform and pull requests. Change things, watch them react, break nothing real.",
            "Une plateforme simulée dans votre navigateur : services PHP sur Kubernetes, base de données, tableaux de bord, alertes, Terraform et pull requests. Changez des choses, regardez-les réagir, sans rien casser de réel.",
        ),
        "catalog.open_sandbox" => ("Open the sandbox", "Ouvrir le bac à sable"),
        "catalog.loading" => ("Loading lessons…", "Chargement des leçons…"),
        "catalog.minutes" => ("min", "min"),
        "catalog.completed" => ("Completed", "Terminée"),
        "catalog.in_progress" => ("In progress", "En cours"),
        "catalog.not_started" => ("Not started", "Pas commencée"),
        "catalog.start" => ("Start", "Commencer"),
        "catalog.continue" => ("Continue", "Continuer"),
        "catalog.review" => ("Review", "Revoir"),
        "catalog.broken" => ("This lesson cannot be opened:", "Cette leçon ne peut pas être ouverte :"),
        "level.beginner" => ("Beginner", "Débutant"),
        "level.intermediate" => ("Intermediate", "Intermédiaire"),
        "level.advanced" => ("Advanced", "Avancé"),
        "lesson.loading" => ("Loading the lesson…", "Chargement de la leçon…"),
        "lesson.error" => ("This lesson could not be loaded", "Cette leçon n'a pas pu être chargée"),
        "lesson.back" => ("Back to the lessons", "Retour aux leçons"),
        "lesson.objectives" => ("Objectives", "Objectifs"),
        "lesson.hints" => ("Hints", "Indices"),
        "lesson.hint" => ("Hint", "Indice"),
        "lesson.show_hint" => ("Show a hint", "Afficher un indice"),
        "lesson.solution" => ("Reference solution", "Solution de référence"),
        "lesson.show_solution" => ("Show the solution", "Afficher la solution"),
        "lesson.solution_advance" => ("Let the clock run for", "Laisser l'horloge tourner"),
        "lesson.solution_edit" => ("Edit", "Modifier"),
        "lesson.solution_kubectl" => ("In the kubectl console, run", "Dans la console kubectl, lancez"),
        "lesson.solution_apply" => (
            "In the Terraform tab, apply with",
            "Dans l'onglet Terraform, appliquer avec",
        ),
        "lesson.complete" => ("Lesson complete. Well done!", "Leçon terminée. Bravo !"),
        "lesson.next" => ("Back to the catalog", "Retour au catalogue"),
        "lesson.restart" => ("Start over", "Recommencer"),
        "lesson.met" => ("met", "atteint"),
        "lesson.not_met" => ("not met yet", "pas encore atteint"),
        "tab.files" => ("Files", "Fichiers"),
        "tab.terraform" => ("Terraform", "Terraform"),
        "tf.database" => ("Deployed database", "Base de données déployée"),
        "tf.per_month" => ("/ month", "/ mois"),
        "tf.will_be_destroyed" => ("will be destroyed", "sera détruit"),
        "tf.apply" => ("Apply", "Appliquer"),
        "tf.compliant" => ("compliant", "conforme"),
        "tf.differences" => (
            "What differs between environments",
            "Ce qui diffère entre les environnements",
        ),
        "tf.variable" => ("Variable", "Variable"),
        "tf.open" => ("Open the plans", "Ouvrir les plans"),
        "lesson.solution_pr" => ("On the pull request:", "Sur la pull request :"),
        "lesson.solution_inject" => ("Inject the fault:", "Injecter la panne :"),
        "tab.pull_request" => ("PR", "PR"),
        "pr.none" => ("No pull request is open here.", "Aucune pull request n'est ouverte ici."),
        "pr.open" => ("Open", "Ouverte"),
        "pr.merged" => ("Merged", "Fusionnée"),
        "pr.opened" => ("opened this pull request", "a ouvert cette pull request"),
        "pr.unpushed" => (
            "Your edits to the application's files are not on the branch yet.",
            "Vos modifications des fichiers de l'application ne sont pas encore sur la branche.",
        ),
        "pr.push" => ("Commit and push", "Commit et push"),
        "pr.add_label" => ("+ label", "+ label"),
        "pr.comment" => ("Comment", "Commenter"),
        "pr.comment_placeholder" => ("Leave a comment", "Laisser un commentaire"),
        "pr.files" => ("Files changed", "Fichiers modifiés"),
        "pr.checks" => ("Checks", "Checks"),
        "pr.running" => ("In progress…", "En cours…"),
        "pr.approvals" => ("Approvals", "Approbations"),
        "pr.merge" => ("Merge pull request", "Fusionner la pull request"),
        "pr.delivery" => ("Delivery", "Livraison"),
        "pr.building" => (
            "Jenkins builds the image on main…",
            "Jenkins construit l'image sur main…",
        ),
        "pr.on_staging" => (
            "Deployed to staging: promote when its pods are ready.",
            "Déployée en staging : promouvez quand ses pods sont prêts.",
        ),
        "pr.on_prod" => ("Promoted to prod.", "Promue en prod."),
        "pr.rolled_back" => (
            "Prod rolled back to the previous version.",
            "La prod est revenue à la version précédente.",
        ),
        "pr.not_merged" => (
            "Merging deploys to staging, then you promote to prod.",
            "La fusion déploie en staging, puis vous promouvez en prod.",
        ),
        "pr.promote" => ("Promote to prod", "Promouvoir en prod"),
        "pr.rollback" => ("Roll back prod", "Revenir en arrière en prod"),
        "helm.failed" => ("helm template fails", "helm template échoue"),
        "helm.show" => ("Show the manifests", "Voir les manifestes"),
        "helm.hide" => ("Hide the manifests", "Masquer les manifestes"),
        "tab.kubernetes" => ("Kubernetes", "Kubernetes"),
        "tab.explore" => ("Explore", "Explorer"),
        "tab.events" => ("Events", "Événements"),
        "tab.dashboard" => ("Dashboard", "Tableau de bord"),
        "tab.alerts" => ("Alerts", "Alertes"),
        "tab.channel" => ("Chat", "Chat"),
        "dashboard.no_data" => ("No data in this range", "Aucune donnée sur cette période"),
        "alerts.no_rules" => ("No alerting rule loaded: edit prometheus/rules.yml", "Aucune règle d'alerte chargée : modifiez prometheus/rules.yml"),
        "alerts.recording" => ("Recording rules", "Règles d'enregistrement"),
        "alerts.alertmanager" => ("In Alertmanager", "Dans Alertmanager"),
        "channel.empty" => ("No message in this channel yet.", "Aucun message dans ce canal pour l'instant."),
        "channel.open_dashboard" => ("Open the dashboard", "Ouvrir le tableau de bord"),
        "files.problems" => ("problems", "problèmes"),
        "files.no_problems" => ("No problems", "Aucun problème"),
        "k8s.deployment" => ("Deployment", "Déploiement"),
        "k8s.ready" => ("Ready", "Prêts"),
        "k8s.desired" => ("Desired", "Souhaités"),
        "k8s.pods" => ("Pods", "Pods"),
        "k8s.starting" => ("starting", "démarrage"),
        "k8s.running" => ("running", "en service"),
        "k8s.pending" => ("pending: no room on a node", "en attente : plus de place sur les nœuds"),
        "k8s.autoscaler" => ("Autoscaler", "Autoscaler"),
        "k8s.console" => ("kubectl", "kubectl"),
        "k8s.console-hint" => (
            "Type a kubectl command, for example `get hpa` or `describe hpa users`; `help` lists them.",
            "Tapez une commande kubectl, par exemple `get hpa` ou `describe hpa users` ; `help` les liste.",
        ),
        "k8s.namespace" => ("namespace", "namespace"),
        "events.empty" => ("Nothing has happened yet. Start the clock.", "Rien ne s'est encore passé. Démarrez l'horloge."),
        "clock.play" => ("Play (Space)", "Lecture (Espace)"),
        "clock.pause" => ("Pause (Space)", "Pause (Espace)"),
        "clock.step" => ("Step one tick (.)", "Avancer d'un tick (.)"),
        "clock.reset" => ("Reset to the start (R)", "Revenir au début (R)"),
        "clock.speed" => ("Speed", "Vitesse"),
        "clock.elapsed" => ("elapsed", "écoulé"),
        "clock.day" => ("day", "jour"),
        "clock.key_space" => ("Space", "Espace"),
        "clock.keys_play" => ("play/pause", "lecture/pause"),
        "clock.keys_step" => ("step", "pas à pas"),
        "clock.keys_reset" => ("reset", "remise à zéro"),
        "sandbox.title" => ("Sandbox", "Bac à sable"),
        "sandbox.lead" => (
            "The whole workbench, no lesson, no objectives. Change anything and watch what happens.",
            "Tout l'atelier, sans leçon ni objectif. Changez ce que vous voulez et regardez ce qui se passe.",
        ),
        "notfound.title" => ("Page not found", "Page introuvable"),
        "notfound.lead" => ("There is nothing at this address:", "Il n'y a rien à cette adresse :"),
        _ => (key, key),
    };
    match locale {
        Locale::En => en,
        Locale::Fr => fr,
    }
}
