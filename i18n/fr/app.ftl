app-title = Daftar
lang-name = Français
lang-switch = Langue
# Enrolment and PIN
enrol-title = Enregistrer cette tablette
enrol-intro = Saisissez l'adresse du serveur et le code à usage unique donné par votre superviseur, ou scannez le code QR.
enrol-server = Adresse du serveur
enrol-code = Code d'enregistrement
enrol-scan = Scanner le code QR
enrol-submit = Enregistrer
enrol-training = Mode formation (sans serveur)
pin-create-title = Choisissez votre code PIN
pin-create-intro = De 4 à 12 chiffres. Il protège les entretiens sur cette tablette.
pin-label = Code PIN
pin-confirm = Confirmez le code PIN
pin-mismatch = Les deux codes PIN ne sont pas identiques.
pin-unlock-title = Bonjour { $name }
pin-unlock-intro = Saisissez votre code PIN pour déverrouiller.
pin-submit = Déverrouiller
pin-create-submit = Enregistrer le code PIN
lock = Verrouiller
locked-after = L'application se verrouille après { NUMBER($minutes) ->
    [one] { NUMBER($minutes) } minute
   *[other] { NUMBER($minutes) } minutes
  } d'inactivité.
# Home
home-title = Mon travail
home-search = Rechercher
home-new = Nouvel entretien
home-empty = Rien ici pour le moment.
home-last-sync = Dernière synchronisation : { $when }
home-never-synced = Jamais synchronisé
home-count = { NUMBER($count) ->
    [0] aucun entretien
    [one] { NUMBER($count) } entretien
   *[other] { NUMBER($count) } entretiens
  }
status-to_start = À commencer
status-in_progress = En cours
status-completed = Terminés
status-sent = Envoyés
status-approved = Approuvés
status-rejected = Rejetés avec commentaires
quota-title = Mes quotas
quota-open = Ouvert
quota-nearly_full = Presque plein
quota-full = Plein
quota-fill = { NUMBER($fill) } / { NUMBER($target) }
open = Ouvrir
start = Commencer
receipt = Reçu n° { $sequence } ({ $when })
assignment-quantity = { $used } entretien(s) sur { $quantity } réalisé(s)
assignment-unlimited = { $used ->
    [one] { $used } entretien réalisé
   *[other] { $used } entretiens réalisés
 }, sans limite
supervisor-note = Note du superviseur : { $note }
# Interview
nav-previous = Précédent
nav-next = Suivant
nav-sections = Sections
nav-review = Vérifier et terminer
nav-home = Accueil
screen-position = { NUMBER($position) } sur { NUMBER($count) }
required = obligatoire
confirm-warning = Je confirme
warning-confirmed = Avertissement confirmé
clear-answer = Effacer
search-list = Rechercher dans la liste
no-match = Aucun résultat
amount = Montant
currency = Devise
gps-capture = Relever la position
gps-accuracy = Précision : { NUMBER($metres, maximumFractionDigits: 0) } m
gps-unavailable = Position indisponible
gps-capturing = Recherche de la position…
gps-denied = Accès à la position refusé : autorisez-le dans les réglages de la tablette.
roster-add = Ajouter une ligne
roster-remove = Supprimer
roster-open = Ouvrir
roster-overview = Vue d'ensemble
roster-empty = Aucune ligne
roster-progress = { NUMBER($answered) } / { NUMBER($questions) }
section-progress = { NUMBER($answered) } / { NUMBER($questions) }
section-done = Terminée
section-problems = { NUMBER($count) ->
    [one] { NUMBER($count) } problème
   *[other] { NUMBER($count) } problèmes
  }
comment = Commentaire du superviseur
yes = Oui
no = Non
acknowledge = OK
# Review
review-title = Vérification avant de terminer
review-answered = { NUMBER($answered) } réponses sur { NUMBER($questions) } questions
review-unanswered = Sans réponse
review-error = Erreur
review-warning = Avertissement
review-comment = Commentaire
review-all-good = Tout est prêt.
review-complete = Terminer l'entretien
review-back = Revenir à l'entretien
review-go = Aller à la question
# Sync
sync = Synchroniser
sync-running = Synchronisation…
sync-upload = Envoi { NUMBER($done) } / { NUMBER($total) }
sync-download = Réception des mises à jour
sync-done = Synchronisation terminée : { NUMBER($sent) } envoyé(s), { NUMBER($rejected) } rejeté(s), { NUMBER($assignments) } affectation(s).
sync-receipts = Reçus
sync-automatic = Réseau retrouvé : synchronisation automatique.
# Errors
error-wrong_pin = Code PIN incorrect.
error-locked_out = Trop d'essais. Réessayez dans { NUMBER($seconds) } secondes.
error-bad_pin = Le code PIN doit compter de 4 à 12 chiffres.
error-locked = L'application est verrouillée.
error-not_enrolled = La tablette n'est pas encore enregistrée.
error-no_interview = Aucun entretien ouvert.
error-not_found = Introuvable.
error-rejected_step = Cette réponse n'a pas été acceptée.
error-questionnaire = Le questionnaire ne peut pas être chargé.
error-incomplete = L'entretien n'est pas complet.
error-network = Pas de connexion au serveur. Vos données restent sur la tablette ; réessayez plus tard.
error-unauthorised = Le serveur a refusé cette tablette. Contactez votre superviseur.
error-bad_code = Code d'enregistrement invalide ou expiré.
error-server = Le serveur a signalé une erreur. Réessayez plus tard.
error-upload = Certains entretiens n'ont pas pu être envoyés ; ils restent dans la tablette.
error-store = Erreur de stockage sur la tablette.
error-local = Erreur sur la tablette.
error-internal = Erreur inattendue.
error-quantity_reached = Cette affectation a déjà tous ses entretiens.
error-scan_unavailable = Cet appareil n'a pas de lecteur de code : saisissez l'adresse du serveur et le code.
error-camera_denied = Accès à la caméra refusé : autorisez-le dans les réglages de la tablette, ou saisissez le code.
error-scan_cancelled = Lecture annulée.
error-scan_not_enrolment = Ce code QR n'est pas un code d'inscription Daftar.
